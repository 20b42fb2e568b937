// Bundles the web player (player/src + index.html + hls.js) into dist/player/ for the HTTP port to serve at /player/.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/player');

/** Newest mtime under a directory: the bundle is rebuilt only when a source is newer (tests call this often). */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const stamp = join(out, 'player.js');
const inputs = Math.max(
  newest(join(root, 'player')),
  // The player bundles the server's runtime-neutral code: a change there must rebuild it too.
  ...['rtp', 'rtsp', 'sdp', 'core', 'media'].map((d) => newest(join(root, 'server', d))),
  statSync(fileURLToPath(import.meta.url)).mtimeMs,
);
if (!process.argv.includes('--force') && existsSync(stamp) && statSync(stamp).mtimeMs >= inputs) {
  process.exit(0);
}

// Built beside the target and swapped in: two test files building at once must never serve a half-written bundle.
const tmp = `${out}.tmp-${process.pid}`;
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
await build({
  entryPoints: { player: join(root, 'player/src/main.ts') },
  outdir: tmp,
  bundle: true,
  format: 'esm',
  // hls.js (~400 kB) is a dynamic import of the hls mode: its own chunk, fetched only in that mode.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'browser',
  // WebCodecs ships in Chromium 94+, Safari 16.4+, Firefox 130+: nothing older can run the ws mode anyway.
  target: ['chrome100', 'firefox130', 'safari16.4'],
  sourcemap: true,
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
});
writeFileSync(join(tmp, 'index.html'), readFileSync(join(root, 'player/index.html')));
copyFileSync(join(root, 'player/player.css'), join(tmp, 'player.css'));
// The old bundle is moved aside in one rename (a recursive delete in place races with another
// build's rename into it: ENOTEMPTY), then ours is renamed in.
const old = `${out}.old-${process.pid}`;
try {
  renameSync(out, old);
} catch {
  // No bundle yet, or another build just moved it.
}
try {
  renameSync(tmp, out);
} catch (e) {
  // Another build won the race with the same sources: its bundle is as good as ours.
  rmSync(tmp, { recursive: true, force: true });
  if (!existsSync(stamp)) throw e;
} finally {
  rmSync(old, { recursive: true, force: true });
}
console.log(`player bundled into ${out}`);
