// Node records in Redis: what a node writes reads back the same; anything else (another program's key, garbage) is skipped, never thrown.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ClusterNode } from '../../server/core/cluster-view.js';
import { decodeNode, encodeNode, MAX_PULLS, nodeKey } from '../../server/core/node-record.js';
import { fuzz } from '../helpers/fuzz.js';

const edge: ClusterNode = { id: 'edge-1', role: 'edge', rtsp: 'rtsp://edge1:8554', http: 'http://edge1:8888', readers: 12, accepted: 40, capacity: 500, egressBps: 24_000_000, cpu: 0.31, pulls: ['cam', 'cams/door'], at: 1_700_000_000_000 };

describe('node records', () => {
  it('round-trips', () => {
    expect(decodeNode(encodeNode(edge))).toEqual(edge);
    expect(nodeKey('edge-1')).toBe('tidecast:node:edge-1');
  });

  const cases: { name: string; text: string | null; want: Partial<ClusterNode> | undefined }[] = [
    { name: 'missing key', text: null, want: undefined },
    { name: 'empty', text: '', want: undefined },
    { name: 'not JSON', text: '{"id":', want: undefined },
    { name: 'JSON but not an object', text: '42', want: undefined },
    { name: 'no id', text: '{"role":"edge"}', want: undefined },
    { name: 'unknown role', text: '{"id":"x","role":"king"}', want: undefined },
    { name: 'numbers that are not', text: '{"id":"x","role":"edge","readers":-3,"cpu":"a lot","capacity":0}', want: { readers: 0, cpu: 0, capacity: 1 } },
    { name: 'pulls that are not strings', text: '{"id":"x","role":"edge","pulls":["a",1,null,"b"]}', want: { pulls: ['a', 'b'] } },
  ];
  it.each(cases)('$name', ({ text, want }) => {
    const got = decodeNode(text);
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toMatchObject(want);
  });

  it('keeps at most MAX_PULLS paths', () => {
    const many = { ...edge, pulls: Array.from({ length: MAX_PULLS + 5 }, (_, i) => `p${i}`) };
    expect(decodeNode(encodeNode(many))!.pulls.length).toBe(MAX_PULLS);
  });

  it('never throws on any text, and what it returns is a node', () => {
    fuzz('decodeNode', 1818, 500, fc.property(fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ id: 'x', role: 'edge', ...(typeof v === 'object' && v && !Array.isArray(v) ? v : { v }) }))), (text) => {
      const n = decodeNode(text);
      if (n) {
        expect(['origin', 'edge', 'front']).toContain(n.role);
        expect(Number.isFinite(n.readers) && n.readers >= 0).toBe(true);
        expect(n.pulls.every((p) => typeof p === 'string')).toBe(true);
      }
    }));
  });
});
