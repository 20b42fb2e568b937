// RtspHeaders: case-insensitive access, repeated fields, order and spelling preserved.

import { describe, expect, it } from 'vitest';
import { RtspHeaders } from '../../server/rtsp/headers-map.js';

describe('RtspHeaders', () => {
  it('looks names up case-insensitively and keeps the first spelling', () => {
    const h = new RtspHeaders();
    h.set('CSeq', '1');
    h.set('cseq', '2');
    expect(h.get('CSEQ')).toBe('2');
    expect(h.has('cSeQ')).toBe(true);
    expect([...h]).toEqual([['CSeq', '2']]);
  });

  it('appends repeated fields, get returns the first, getAll all of them', () => {
    const h = new RtspHeaders([['Transport', 'a'], ['transport', 'b']]);
    expect(h.get('TRANSPORT')).toBe('a');
    expect(h.getAll('Transport')).toEqual(['a', 'b']);
    expect([...h.entries()]).toEqual([['Transport', 'a'], ['Transport', 'b']]);
    expect(h.getAll('Missing')).toEqual([]);
    expect(h.get('Missing')).toBeUndefined();
  });

  it('iterates in insertion order; set keeps position, delete then set moves to the end', () => {
    const h = new RtspHeaders({ CSeq: '1', Session: 'abc', 'Content-Type': 'application/sdp' });
    h.set('session', 'def');
    expect([...h.keys()]).toEqual(['CSeq', 'Session', 'Content-Type']);
    expect(h.delete('SESSION')).toBe(true);
    expect(h.delete('Session')).toBe(false);
    h.set('session', 'ghi');
    expect([...h]).toEqual([['CSeq', '1'], ['Content-Type', 'application/sdp'], ['session', 'ghi']]);
    expect(h.size).toBe(3);
  });

  it('builds from an object with arrays, from entries and from another RtspHeaders', () => {
    const h = new RtspHeaders({ 'WWW-Authenticate': ['Basic realm="x"', 'Digest realm="x"'], Skip: undefined });
    expect(h.getAll('www-authenticate')).toHaveLength(2);
    expect(h.has('Skip')).toBe(false);
    const copy = new RtspHeaders(h);
    copy.append('X', '1');
    expect([...copy]).toEqual([...h, ['X', '1']]);
    expect(h.has('X')).toBe(false);
    expect(new RtspHeaders(new Map([['A', '1']])).get('a')).toBe('1');
    expect(copy.toObject()).toEqual({ 'WWW-Authenticate': 'Basic realm="x", Digest realm="x"', X: '1' });
  });
});
