// docs/config.md is generated from the config schema and its doc comments: it must match what the script writes now.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_DOC, renderConfigReference } from '../../scripts/config-reference.js';
import { commentFor, readCommentedLiterals } from '../../scripts/config-doc-comments.js';

describe('config reference (docs/config.md)', () => {
  it('is what `npm run docs:config` writes from the schema now', () => {
    const committed = readFileSync(CONFIG_DOC, 'utf8');
    const fresh = renderConfigReference();
    // One message a person can act on, rather than a diff of two whole files.
    if (committed !== fresh) expect.fail('docs/config.md is out of date with server/config*.ts: run npm run docs:config and commit it');
  });

  it('lists every key with its type, default and allowed values, nested ones included', () => {
    const doc = renderConfigReference();
    expect(doc).toMatch(/\| `httpPort` \| integer \| `8888` \| 0 to 65535 \| HTTP port/);
    expect(doc).toMatch(/\| `logLevel` \| string \| `info` \| `fatal`, `error`/);
    expect(doc).toContain('## `paths.<name>`');
    expect(doc).toMatch(/\| `sourceProtocol` \| string \| `tcp` \| `tcp`, `udp` \| Lower transport/);
    expect(doc).toContain('## `limits`');
    expect(doc).toContain('## `authUsers[].permissions[]`');
    expect(doc).toMatch(/\| `action` \| string \| required \| `read`, `publish`/);
  });

  it('takes each key its own comment when two objects share a key name', () => {
    const lits = readCommentedLiterals(process.cwd());
    const top = commentFor(lits, 'overridePublisher', ['rtspPort', 'httpPort', 'overridePublisher', 'gopCacheBytes']);
    const path = commentFor(lits, 'overridePublisher', ['source', 'ffmpeg', 'redirect', 'overridePublisher']);
    expect(top).toMatch(/^A new publisher on a busy path/);
    expect(path).toMatch(/^This path's own publisher takeover rule/);
  });
});
