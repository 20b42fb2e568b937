// The built-in `testsrc` path: an ffmpeg test pattern with a running clock, a white flash and a 1 kHz beep each second.
import { existsSync } from 'node:fs';

const FONTS = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
];

export interface TestsrcOptions {
  width?: number;
  height?: number;
  fps?: number;
  /** FONT_FILE or the first DejaVu font found; without one the clock is testsrc2's built-in timer. */
  font?: string | undefined;
}

/**
 * ffmpeg input + encoding arguments (as an argv, no shell quoting). 1280x720@30 at 2 Mbit/s: with
 * x264 ultrafast + zerolatency it costs about 30 % of one core (measured), 640x360 about 12 %.
 * The flash is frames n mod fps < 2 and the tone the first 50 ms of every second, both starting
 * at whole seconds of media time, as in scripts/make-media.sh, so A/V sync can be checked by eye and ear.
 */
export function testsrcArgs(o: TestsrcOptions = {}): string[] {
  const w = o.width ?? 1280;
  const h = o.height ?? 720;
  const fps = o.fps ?? 30;
  const font = 'font' in o ? o.font : (process.env.FONT_FILE ?? FONTS.find((f) => existsSync(f)));
  const big = Math.round(h / 8);
  const small = Math.round(h / 15);
  let clock = '';
  if (font) {
    // Wall clock (for latency by eye) and media time, on dark boxes so the flash does not hide them.
    const f = font.replace(/([\\:'])/g, '\\$1');
    clock =
      `,drawtext=fontfile=${f}:text='%{localtime\\:%H\\\\\\:%M\\\\\\:%S}':fontsize=${big}:fontcolor=white:box=1:boxcolor=black@0.7:boxborderw=8:x=(w-tw)/2:y=h-th-${small * 3}` +
      `,drawtext=fontfile=${f}:text='%{pts\\:hms}  frame %{frame_num}':fontsize=${small}:fontcolor=yellow:box=1:boxcolor=black@0.7:boxborderw=6:x=(w-tw)/2:y=h-th-${Math.round(small / 2)}`;
  }
  const video = `testsrc2=size=${w}x${h}:rate=${fps},drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='lt(mod(n\\,${fps})\\,2)'${clock},format=yuv420p`;
  const beep = 'if(lt(mod(t\\,1)\\,0.05)\\,0.5*sin(2*PI*1000*t)\\,0)';
  const audio = `aevalsrc=exprs=${beep}|${beep}:sample_rate=48000:channel_layout=stereo`;
  const gop = 2 * fps;
  return [
    '-loglevel', 'error',
    // -re: lavfi sources generate as fast as they can; a live path needs real time.
    '-re', '-f', 'lavfi', '-i', video,
    '-re', '-f', 'lavfi', '-i', audio,
    '-map', '0:v', '-map', '1:a',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p',
    '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0', '-b:v', '2000k', '-maxrate', '2500k', '-bufsize', '2000k',
    '-c:a', 'aac', '-b:a', '96k', '-ar', '48000', '-ac', '2',
    // One AAC frame (21 ms) per RTP packet. ffmpeg's RTP muxer otherwise packs up to ~0.5 s of
    // frames into one, a floor under every reader's audio delay (the web player's ws mode measured
    // ~1 s end to end with it, ~0.1 s without).
    '-max_delay', '0',
  ];
}
