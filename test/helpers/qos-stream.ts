// The QoS suite's and bench's stream: a noisy 640x360 H.264 clip with non-reference B frames and AAC, and an ffmpeg
// publisher that loops it to several live paths at once (one demux: the same packets on each path).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { describeRun, run } from './spawn.js';

/**
 * A 4 s clip looped by the publisher: 2.5 Mbit/s of noisy 640x360 (so ffmpeg's receiver reports, sent
 * per 280 kB received, come every second or two even at key frames only), a key frame every 15 frames,
 * two non-reference B frames between references (b-pyramid off), and AAC audio.
 */
export async function makeClip(dir: string, videoBitrate = '2500k', name = 'qos.mp4', size = '640x360'): Promise<string> {
  const file = join(dir, name);
  const args = [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30`, '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000',
    '-t', '4', '-vf', 'noise=alls=12:allf=t', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '15', '-bf', '2',
    '-x264-params', 'b-adapt=0:b-pyramid=none:scenecut=0', '-b:v', videoBitrate, '-maxrate', videoBitrate, '-bufsize', '1M',
    '-c:a', 'aac', '-b:a', '96k', '-shortest', file,
  ];
  const r = await run(resolveFfmpeg(), args, { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(describeRun('ffmpeg', args, r));
  return file;
}

/** ffmpeg looping a file to several RTSP URLs over TCP (one demux, the same packets to each path). */
export class FfmpegPublisher {
  private constructor(private readonly child: ChildProcess, private readonly done: Promise<void>) {}

  static start(file: string, urls: string[]): FfmpegPublisher {
    const outs = urls.flatMap((u) => ['-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', u]);
    const child = spawn(resolveFfmpeg(), ['-v', 'error', '-re', '-stream_loop', '-1', '-i', file, ...outs], { stdio: 'ignore' });
    return new FfmpegPublisher(child, new Promise((resolve) => child.once('close', () => resolve())));
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.done;
  }
}
