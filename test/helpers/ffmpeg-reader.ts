// A long-running ffmpeg RTSP reader (on the host or inside a network namespace) that counts, as it goes, the video
// frames and audio frames it decodes (framecrc lines) and the decoder's error lines: the QoS suite and bench compare them.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { UDP_BUFFER } from './read.js';
import type { NetNs } from './netns.js';

/** Lines the decoders print for a damaged frame ("error while decoding MB", "concealing ... errors"...). */
const DECODE_ERROR = /^\[(h264|hevc|aac) @/;

export class FfmpegReader {
  video = 0;
  audio = 0;
  decodeErrors = 0;
  private tail: string[] = [];
  private readonly done: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString('latin1');
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const l of lines) {
        if (l.startsWith('0,')) this.video++;
        else if (l.startsWith('1,')) this.audio++;
      }
    });
    let err = '';
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString('utf8');
      const lines = err.split('\n');
      err = lines.pop()!;
      for (const l of lines) {
        if (DECODE_ERROR.test(l)) this.decodeErrors++;
        this.tail.push(l);
        if (this.tail.length > 20) this.tail.shift();
      }
    });
    this.done = new Promise((resolve) => child.once('close', () => resolve()));
  }

  /** Reads `url` over RTSP/UDP (inside `ns` when given) until stop(). */
  static start(url: string, ns?: NetNs): FfmpegReader {
    const args = ['-v', 'error', '-rtsp_transport', 'udp', ...UDP_BUFFER, '-i', url, '-f', 'framecrc', '-'];
    const child = ns ? ns.spawn(resolveFfmpeg(), args) : spawn(resolveFfmpeg(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    return new FfmpegReader(child);
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** The last lines ffmpeg printed, for a failure message. */
  get stderrTail(): string {
    return this.tail.join('\n');
  }

  /** Kills ffmpeg and waits for it to be gone. */
  async stop(): Promise<void> {
    if (!this.exited) this.child.kill('SIGKILL');
    await this.done;
  }
}
