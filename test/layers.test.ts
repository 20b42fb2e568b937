// The layer check (`npm run lint:layers`) can fail: wrong imports in a temporary tree are each reported under the rule they break.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

/** Files of the temporary tree: one deliberately wrong import each, plus allowed ones that must pass. */
const FILES: Record<string, string> = {
  'server/core/stream.ts': 'export class Stream {}\n',
  'server/media/track.ts': 'export interface Track { id: number }\n',
  'server/sources/file/demux.ts': 'export const demux = 1;\n',
  'server/rtsp/session.ts': 'export const session = 1;\n',
  'server/rtsp/message.ts': 'export const message = 1;\n',
  'test/helpers/fixture.ts': 'export const fixture = 1;\n',
  // Wrong:
  'server/media/probe.ts': "import type { Stream } from '../core/stream.js';\nexport type P = Stream;\n",
  'server/rtp/probe.ts': "import { readFileSync } from 'node:fs';\nexport const p = readFileSync;\n",
  'server/core/probe.ts': "import { demux } from '../sources/file/demux.js';\nexport const p = demux;\n",
  'server/rtsp/probe.ts': "import { demux } from '../sources/file/demux.js';\nexport const p = demux;\n",
  'server/http/probe.ts': "import { session } from '../rtsp/session.js';\nexport const p = session;\n",
  'server/sources/relay/probe.ts':
    "import { demux } from '../file/demux.js';\nimport { session } from '../../rtsp/session.js';\nexport const p = [demux, session];\n",
  'server/config.ts': "import { session } from './rtsp/session.js';\nexport const p = session;\n",
  'server/config-auth.ts': "import { session } from './rtsp/session.js';\nexport const p = session;\n",
  'server/auth/probe.ts': "import { session } from '../rtsp/session.js';\nexport const p = session;\n",
  'server/util/probe.ts': "import { fixture } from '../../test/helpers/fixture.js';\nexport const p = fixture;\n",
  'server/limits/probe.ts': "import { session } from '../rtsp/session.js';\nexport const p = session;\n",
  'server/tls/probe.ts': "import { session } from '../rtsp/session.js';\nexport const p = session;\n",
  'server/hooks/hooks.ts': 'export const hooks = 1;\n',
  'server/hooks/probe.ts': "import { session } from '../rtsp/session.js';\nexport const p = session;\n",
  'server/sources/process/probe.ts': "import { hooks } from '../../hooks/hooks.js';\nexport const p = hooks;\n",
  'server/rtsp/mikey/probe.ts': "import { readFileSync } from 'node:fs';\nimport { session } from '../session.js';\nexport const p = [readFileSync, session];\n",
  'player/src/probe.ts': "import { Stream } from '../../server/core/stream.js';\nexport const p = Stream;\n",
  // A cycle of type-only imports.
  'server/core/a.ts': "import type { B } from './b.js';\nexport interface A { b?: B }\n",
  'server/core/b.ts': "import type { A } from './a.js';\nexport interface B { a?: A }\n",
  // Allowed:
  'server/core/ok.ts': "import type { Track } from '../media/track.js';\nexport type T = Track;\n",
  'server/sources/relay/ok.ts': "import { message } from '../../rtsp/message.js';\nexport const p = message;\n",
  'server/auth/ok.ts': "import { message } from '../rtsp/message.js';\nexport const p = message;\n",
  'server/rtsp/headers/ok.ts': "import { mikey } from '../mikey/ok.js';\nexport const p = mikey;\n",
  'server/rtsp/mikey/ok.ts': "import { message } from '../message.js';\nexport const mikey = message;\n",
};

/** What the check printed (the same report `npm run lint:layers` prints) and its exit code. */
let report = '';
let exitCode: number | null = null;

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'tidecast-layers-'));
  try {
    for (const [path, text] of Object.entries(FILES)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    // The repository's own compiler settings, so `.js` specifiers resolve to `.ts` files as they do there.
    copyFileSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
    const run = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), 'server', 'player/src', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'err-long'],
      { cwd: dir, encoding: 'utf8', timeout: 60_000 },
    );
    exitCode = run.status;
    report = run.stdout + run.stderr;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

describe('layer check', () => {
  it('fails (non-zero exit) on a tree with wrong imports', () => {
    expect(exitCode).not.toBe(0);
  });

  it.each([
    ['server/media/probe.ts', 'server/core/stream.ts', 'media-imports-nothing'],
    ['server/media/probe.ts', 'server/core/stream.ts', 'leaf-imports-leaves'],
    ['server/rtp/probe.ts', 'fs', 'leaf-no-node'],
    ['server/core/probe.ts', 'server/sources/file/demux.ts', 'core-imports-core-leaves-log'],
    ['server/rtsp/probe.ts', 'server/sources/file/demux.ts', 'delivery-no-sources'],
    ['server/http/probe.ts', 'server/rtsp/session.ts', 'http-rtsp-channel-only'],
    ['server/sources/relay/probe.ts', 'server/sources/file/demux.ts', 'source-imports-core-leaves-log-itself'],
    ['server/sources/relay/probe.ts', 'server/rtsp/session.ts', 'source-imports-core-leaves-log-itself'],
    ['server/config.ts', 'server/rtsp/session.ts', 'config-imports-util'],
    ['server/config-auth.ts', 'server/rtsp/session.ts', 'config-imports-util'],
    ['server/auth/probe.ts', 'server/rtsp/session.ts', 'auth-imports-leaves-config-log'],
    ['server/util/probe.ts', 'test/helpers/fixture.ts', 'no-test-or-bench'],
    ['server/limits/probe.ts', 'server/rtsp/session.ts', 'limits-import-config-log-util'],
    ['server/tls/probe.ts', 'server/rtsp/session.ts', 'tls-imports-util-log'],
    ['server/hooks/probe.ts', 'server/rtsp/session.ts', 'hooks-import-core-config-log'],
    ['server/sources/process/probe.ts', 'server/hooks/hooks.ts', 'only-root-imports-hooks'],
    ['server/rtsp/mikey/probe.ts', 'fs', 'leaf-no-node'],
    ['server/rtsp/mikey/probe.ts', 'server/rtsp/session.ts', 'leaf-imports-leaves'],
    ['player/src/probe.ts', 'server/core/stream.ts', 'player-imports-player-leaves-hls'],
    ['server/core/a.ts', 'server/core/b.ts', 'no-cycle'],
  ])('%s -> %s is reported as %s', (from, to, rule) => {
    // One line per violation, `error <rule>: <from> → <to>` (a cycle lists its files on the lines after).
    const line = new RegExp(`error ${escape(rule)}: ${escape(from)} →\\s+${escape(to)}\\b`);
    expect(report).toMatch(line);
  });

  it('says which layer rule each violation breaks', () => {
    expect(report).toContain('Layer rule: server/media (the media model) is the bottom leaf');
  });

  it('reports nothing about the allowed imports', () => {
    expect(report).not.toMatch(/: server\/core\/ok\.ts|: server\/sources\/relay\/ok\.ts|: server\/auth\/ok\.ts|: server\/rtsp\/(headers|mikey)\/ok\.ts/);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
