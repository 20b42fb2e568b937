// Structure checks for muxer output: ISO BMFF boxes that tile exactly, fragments whose trun sizes fill their mdat, and MPEG-TS packets, PIDs and continuity counters.

interface Box {
  type: string;
  at: number;
  size: number;
}

/** The boxes in [from, to); a problem when a size is below 8 or runs past `to`. */
function boxes(b: Uint8Array, from: number, to: number, problems: string[]): Box[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: Box[] = [];
  for (let o = from; o < to; ) {
    if (o + 8 > to) {
      problems.push(`${to - o} stray bytes at ${o}`);
      break;
    }
    const size = dv.getUint32(o);
    const type = String.fromCharCode(...b.subarray(o + 4, o + 8));
    if (size < 8 || o + size > to) {
      problems.push(`box ${type} at ${o} has size ${size}, past ${to}`);
      break;
    }
    out.push({ type, at: o, size });
    o += size;
  }
  return out;
}

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'mvex', 'moof', 'traf', 'dinf', 'edts']);

function walk(b: Uint8Array, from: number, to: number, problems: string[], depth = 0): Box[] {
  const list = boxes(b, from, to, problems);
  for (const x of list) if (CONTAINERS.has(x.type) && depth < 8) walk(b, x.at + 8, x.at + x.size, problems, depth + 1);
  return list;
}

/** An init segment: ftyp then moov, every container box tiled by its children. */
export function initProblems(b: Uint8Array): string[] {
  const problems: string[] = [];
  const top = walk(b, 0, b.length, problems);
  if (top[0]?.type !== 'ftyp' || top[1]?.type !== 'moov') problems.push(`init segment is ${top.map((x) => x.type).join(',')}, not ftyp,moov`);
  return problems;
}

/**
 * Fragments (moof+mdat pairs, as many as there are): boxes tile, and each moof's truns point into
 * the mdat that follows it and their sample sizes add up to exactly its payload.
 */
export function fragmentProblems(b: Uint8Array): string[] {
  const problems: string[] = [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const top = walk(b, 0, b.length, problems);
  for (let i = 0; i < top.length; i++) {
    const moof = top[i]!;
    if (moof.type !== 'moof') continue;
    const mdat = top[i + 1];
    if (mdat?.type !== 'mdat') {
      problems.push(`moof at ${moof.at} is not followed by an mdat`);
      continue;
    }
    let total = 0;
    for (const traf of boxes(b, moof.at + 8, moof.at + moof.size, problems).filter((x) => x.type === 'traf')) {
      for (const trun of boxes(b, traf.at + 8, traf.at + traf.size, problems).filter((x) => x.type === 'trun')) {
        const n = dv.getUint32(trun.at + 12);
        const offset = dv.getInt32(trun.at + 16);
        if (trun.size !== 20 + 16 * n) problems.push(`trun at ${trun.at}: ${n} samples in ${trun.size} bytes`);
        if (moof.at + offset < mdat.at + 8 || moof.at + offset > mdat.at + mdat.size) problems.push(`trun data offset ${offset} outside the mdat`);
        for (let k = 0; k < n && trun.at + 28 + 16 * k <= trun.at + trun.size; k++) total += dv.getUint32(trun.at + 24 + 16 * k);
      }
    }
    if (total !== mdat.size - 8) problems.push(`samples add up to ${total} bytes, the mdat holds ${mdat.size - 8}`);
  }
  return problems;
}

/**
 * MPEG-TS: whole 188-byte packets with the sync byte, adaptation fields within the packet, and per
 * PID a continuity counter that steps by one with each payload (ISO 13818-1 §2.4.3.3).
 */
export function tsProblems(b: Uint8Array, cc = new Map<number, number>()): string[] {
  const problems: string[] = [];
  if (b.length % 188 !== 0) problems.push(`${b.length} bytes is not a whole number of 188-byte packets`);
  for (let o = 0; o + 188 <= b.length; o += 188) {
    if (b[o] !== 0x47) problems.push(`no sync byte at ${o}`);
    const pid = ((b[o + 1]! & 0x1f) << 8) | b[o + 2]!;
    const afc = (b[o + 3]! >> 4) & 3;
    if (afc === 0) problems.push(`packet at ${o}: adaptation_field_control 0 is reserved`);
    if (afc & 2 && b[o + 4]! > 183) problems.push(`packet at ${o}: adaptation field of ${b[o + 4]} bytes`);
    if (afc & 1) {
      const c = b[o + 3]! & 15;
      const prev = cc.get(pid);
      if (prev !== undefined && c !== ((prev + 1) & 15)) problems.push(`PID ${pid}: continuity ${prev} -> ${c} at ${o}`);
      cc.set(pid, c);
    }
  }
  return problems;
}
