// Builds the optional sendmmsg addon of the UDP fan-out (server/rtsp/udp/native) at `npm ci`/`npm install`.
// Never fails the install: without a compiler or Node's headers the server sends with plain dgram
// (server/rtsp/udp/native.ts says which one it uses). Nothing is downloaded: node-gyp gets the
// headers installed beside this node (Debian's nodejs ships them in /usr/include/node).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../server/rtsp/udp/native');
const say = (m) => console.log(`tidecast: ${m}`);

if (process.platform !== 'linux') {
  say(`sendmmsg addon not built (${process.platform} has no sendmmsg): UDP readers get plain dgram`);
  process.exit(0);
}
if (process.env.TIDECAST_SKIP_NATIVE === '1') {
  say('sendmmsg addon not built (TIDECAST_SKIP_NATIVE=1): UDP readers get plain dgram');
  process.exit(0);
}

// npm tells its scripts where its own node-gyp is; outside npm, look beside npm-cli.js.
const candidates = [
  process.env.npm_config_node_gyp,
  process.env.npm_execpath && join(dirname(process.env.npm_execpath), '../node_modules/node-gyp/bin/node-gyp.js'),
  join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
].filter((p) => p && existsSync(p));
const gyp = candidates[0];
if (!gyp) {
  say('sendmmsg addon not built (node-gyp not found): UDP readers get plain dgram');
  process.exit(0);
}

// The headers of this very node, so node-gyp never goes to the network for them.
const prefix = resolve(dirname(process.execPath), '..');
const args = [gyp, 'rebuild'];
if (existsSync(join(prefix, 'include/node/node_api.h'))) args.push(`--nodedir=${prefix}`);
const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 180_000 });
if (r.status === 0) {
  say('sendmmsg addon built: UDP fan-out sends one system call per batch');
} else {
  const why = `${r.stderr ?? ''}${r.stdout ?? ''}`.split('\n').filter((l) => /error|ERR!/i.test(l)).slice(0, 5).join('\n  ');
  say(`sendmmsg addon not built (node-gyp exited ${r.status ?? r.signal}); UDP readers get plain dgram:\n  ${why}`);
}
process.exit(0);
