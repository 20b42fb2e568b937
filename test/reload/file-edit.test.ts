// Path edits on the config file's YAML document: comments, order and style survive; refusals leave the document as it was.
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import type { PathEdit } from '../../server/config-editor.js';
import { editPathsDocument } from '../../server/reload/file-edit.js';

const FILE = `# top comment
rtspPort: 8554 # the port
paths:
  # the hall camera
  hall: {source: "rtsp://cam/hall"}
  empty:
  door:
    source: rtsp://cam/door # relayed
    sourceProtocol: udp
`;

const cases: [string, string, PathEdit, string][] = [
  ['adds at the end of paths', FILE, { op: 'add', name: 'cams/new', fields: { source: 'rtsp://o/x', sourceOnDemand: false } }, FILE + '  cams/new:\n    source: rtsp://o/x\n    sourceOnDemand: false\n'],
  ['adds a pattern', FILE, { op: 'add', name: '~^edge/(.+)$', fields: { source: 'rtsp://o/$G1' } }, FILE + '  ~^edge/(.+)$:\n    source: rtsp://o/$G1\n'],
  ['adds a publisher path with no settings', FILE, { op: 'add', name: 'pub', fields: {} }, FILE + '  pub: {}\n'],
  ['adds paths: to a file without it', 'rtspPort: 1 # port\n', { op: 'add', name: 'a', fields: {} }, 'rtspPort: 1 # port\npaths:\n  a: {}\n'],
  ['adds to an empty file', '', { op: 'add', name: 'a', fields: { source: 'rtsp://o/a' } }, 'paths:\n  a:\n    source: rtsp://o/a\n'],
  ['adds under an empty paths:', 'paths:\n', { op: 'add', name: 'a', fields: {} }, 'paths:\n  a: {}\n'],
  ['merges fields, null removes one, comments stay', FILE, { op: 'patch', name: 'door', fields: { sourceProtocol: null, sourceOnDemandCloseAfter: 3 } }, FILE.replace('    sourceProtocol: udp\n', '    sourceOnDemandCloseAfter: 3\n')],
  ['patches a flow mapping in its style', FILE, { op: 'patch', name: 'hall', fields: { sourceProtocol: 'udp' } }, FILE.replace('hall: {source: "rtsp://cam/hall"}', 'hall: {source: "rtsp://cam/hall", sourceProtocol: udp}')],
  ['patches a path with nothing under it', FILE, { op: 'patch', name: 'empty', fields: { overridePublisher: true } }, FILE.replace('  empty:\n', '  empty:\n    overridePublisher: true\n')],
  ['removes a path', FILE, { op: 'remove', name: 'empty' }, FILE.replace('  empty:\n', '')],
];

describe('editPathsDocument', () => {
  it.each(cases)('%s', (_name, text, edit, out) => {
    const doc = parseDocument(text);
    expect(editPathsDocument(doc, edit)).toBeUndefined();
    expect(doc.toString({ flowCollectionPadding: false })).toBe(out);
  });

  it.each([
    ['an existing name', FILE, { op: 'add', name: 'hall', fields: {} }, 409, /hall exists already/],
    ['an unknown name (patch)', FILE, { op: 'patch', name: 'nope', fields: {} }, 404, /no path nope/],
    ['an unknown name (remove)', FILE, { op: 'remove', name: 'nope' }, 404, /no path nope/],
    ['a removal from a file without paths', 'rtspPort: 1\n', { op: 'remove', name: 'a' }, 404, /no path a/],
    ['a body that is not an object', FILE, { op: 'add', name: 'x', fields: [1, 2] }, 400, /must be a JSON object/],
    ['a null body', FILE, { op: 'patch', name: 'hall', fields: null }, 400, /must be a JSON object/],
    ['paths: that is a list', 'paths: [a, b]\n', { op: 'add', name: 'x', fields: {} }, 400, /"paths" in the config file is not a mapping/],
    ['a file that is a list', '- a\n', { op: 'add', name: 'x', fields: {} }, 400, /not a YAML mapping/],
  ] as [string, string, PathEdit, number, RegExp][])('refuses %s', (_name, text, edit, status, reason) => {
    const doc = parseDocument(text);
    const r = editPathsDocument(doc, edit);
    expect(r?.status).toBe(status);
    expect(r?.reason).toMatch(reason);
    expect(doc.toString({ flowCollectionPadding: false })).toBe(parseDocument(text).toString({ flowCollectionPadding: false }));
  });
});
