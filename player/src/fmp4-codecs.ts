// RFC 6381 codec strings from a fragmented MP4's init segment (moov), for MediaSource.isTypeSupported and addSourceBuffer.

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'edts', 'dinf', 'mvex']);

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}
function fourcc(b: Uint8Array, o: number): string {
  return String.fromCharCode(b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!);
}
const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
const dec2 = (n: number): string => String(n).padStart(2, '0');

/** Top-level boxes of a buffer: [type, start, end); stops at an incomplete box. */
export function topLevelBoxes(b: Uint8Array): { type: string; start: number; end: number }[] {
  const out: { type: string; start: number; end: number }[] = [];
  let o = 0;
  while (o + 8 <= b.length) {
    let size = u32(b, o);
    if (size === 1) {
      if (o + 16 > b.length) break;
      size = u32(b, o + 8) * 2 ** 32 + u32(b, o + 12);
    }
    if (size < 8 || o + size > b.length) break;
    out.push({ type: fourcc(b, o + 4), start: o, end: o + size });
    o += size;
  }
  return out;
}

/** The codec of each sample entry under moov, e.g. ["avc1.64001e", "mp4a.40.2"], ["vp09.00.10.08"], ["av01.0.00M.08"]. */
export function codecsOfMoov(moov: Uint8Array): string[] {
  const out: string[] = [];
  const walk = (start: number, end: number): void => {
    let o = start;
    while (o + 8 <= end) {
      const size = u32(moov, o);
      const type = fourcc(moov, o + 4);
      if (size < 8 || o + size > end) return;
      if (CONTAINERS.has(type)) walk(o + 8, o + size);
      else if (type === 'stsd') sampleEntries(o + 16, o + size); // full box + entry_count
      o += size;
    }
  };
  const sampleEntries = (start: number, end: number): void => {
    let o = start;
    while (o + 8 <= end) {
      const size = u32(moov, o);
      const type = fourcc(moov, o + 4);
      if (size < 8 || o + size > end) return;
      const codec = entryCodec(type, o, o + size);
      if (codec) out.push(codec);
      o += size;
    }
  };
  const child = (type: string, start: number, end: number): number => {
    for (let i = start; i + 8 <= end; i++) if (fourcc(moov, i + 4) === type && u32(moov, i) >= 8 && i + u32(moov, i) <= end) return i;
    return -1;
  };
  const entryCodec = (type: string, start: number, end: number): string | undefined => {
    if (type === 'avc1' || type === 'avc3') {
      const c = child('avcC', start + 8, end);
      return c < 0 ? type : `${type}.${hex2(moov[c + 9]!)}${hex2(moov[c + 10]!)}${hex2(moov[c + 11]!)}`;
    }
    if (type === 'hvc1' || type === 'hev1') {
      const c = child('hvcC', start + 8, end);
      if (c < 0) return type;
      const p = moov[c + 9]!;
      const space = ['', 'A', 'B', 'C'][p >>> 6]!;
      const level = moov[c + 20]!;
      return `${type}.${space}${p & 0x1f}.6.${p & 0x20 ? 'H' : 'L'}${level}.B0`;
    }
    if (type === 'mp4a') {
      const c = child('esds', start + 8, end);
      if (c < 0) return 'mp4a.40.2';
      // DecoderSpecificInfo (tag 5) holds the AudioSpecificConfig: its first 5 bits are the object type.
      for (let i = c + 12; i + 2 < c + u32(moov, c); i++) {
        if (moov[i] === 0x05) {
          let j = i + 1;
          while (moov[j]! & 0x80) j++;
          return `mp4a.40.${moov[j + 1]! >>> 3}`;
        }
      }
      return 'mp4a.40.2';
    }
    if (type === 'vp08' || type === 'vp09') {
      // vpcC (full box): profile, level, bitDepth(4) | chroma(3) | range(1): vp09.PP.LL.DD.
      const c = child('vpcC', start + 8, end);
      if (c < 0) return type === 'vp08' ? 'vp8' : 'vp09.00.10.08';
      return `${type}.${dec2(moov[c + 12]!)}.${dec2(moov[c + 13]!)}.${dec2(moov[c + 14]! >>> 4)}`;
    }
    if (type === 'av01') {
      // av1C: marker/version, seq_profile(3) seq_level_idx_0(5), seq_tier_0 high_bitdepth twelve_bit ...
      const c = child('av1C', start + 8, end);
      if (c < 0) return 'av01.0.08M.08';
      const b1 = moov[c + 9]!;
      const b2 = moov[c + 10]!;
      const depth = b2 & 0x40 ? (b2 & 0x20 ? 12 : 10) : 8;
      return `av01.${b1 >>> 5}.${dec2(b1 & 0x1f)}${b2 & 0x80 ? 'H' : 'M'}.${dec2(depth)}`;
    }
    if (type === 'Opus') return 'opus';
    if (type === 'fLaC') return 'flac';
    return undefined;
  };
  walk(0, moov.length);
  return out;
}
