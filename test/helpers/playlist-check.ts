// An HLS media playlist checker for tests: parses the text on its own (not with the server's code) and lists rule violations.

export interface ParsedPart {
  duration: number;
  uri: string;
  independent: boolean;
}

export interface ParsedSegment {
  msn: number;
  duration: number;
  uri: string;
  programDateTime?: number;
  parts: ParsedPart[];
}

export interface ParsedPlaylist {
  version?: number;
  targetDuration?: number;
  mediaSequence: number;
  playlistType?: string;
  endList: boolean;
  map?: string;
  partTarget?: number;
  serverControl: Record<string, string>;
  segments: ParsedSegment[];
  /** Parts after the last complete segment (the segment being written). */
  openParts: ParsedPart[];
  openProgramDateTime?: number;
  preloadHint?: string;
  tags: string[];
}

function attrs(list: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of list.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) out[m[1]!] = m[2]!.replace(/^"|"$/g, '');
  return out;
}

export function parsePlaylist(text: string): ParsedPlaylist {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  if (lines[0] !== '#EXTM3U') throw new Error(`a playlist starts with #EXTM3U, this one with ${JSON.stringify(lines[0])}`);
  const p: ParsedPlaylist = { mediaSequence: 0, endList: false, serverControl: {}, segments: [], openParts: [], tags: [] };
  let pending: ParsedPart[] = [];
  let pdt: number | undefined;
  let extinf: number | undefined;
  for (const line of lines.slice(1)) {
    if (!line.startsWith('#')) {
      if (extinf === undefined) throw new Error(`URI ${line} without #EXTINF`);
      p.segments.push({ msn: p.mediaSequence + p.segments.length, duration: extinf, uri: line, programDateTime: pdt, parts: pending });
      pending = [];
      pdt = undefined;
      extinf = undefined;
      continue;
    }
    const [tag, value = ''] = splitTag(line);
    p.tags.push(tag);
    switch (tag) {
      case '#EXT-X-VERSION':
        p.version = Number(value);
        break;
      case '#EXT-X-TARGETDURATION':
        p.targetDuration = Number(value);
        break;
      case '#EXT-X-MEDIA-SEQUENCE':
        p.mediaSequence = Number(value);
        break;
      case '#EXT-X-PLAYLIST-TYPE':
        p.playlistType = value;
        break;
      case '#EXT-X-ENDLIST':
        p.endList = true;
        break;
      case '#EXT-X-MAP':
        p.map = attrs(value)['URI'];
        break;
      case '#EXT-X-PART-INF':
        p.partTarget = Number(attrs(value)['PART-TARGET']);
        break;
      case '#EXT-X-SERVER-CONTROL':
        p.serverControl = attrs(value);
        break;
      case '#EXT-X-PROGRAM-DATE-TIME':
        pdt = Date.parse(value);
        break;
      case '#EXTINF':
        extinf = Number(value.split(',')[0]);
        break;
      case '#EXT-X-PART': {
        const a = attrs(value);
        pending.push({ duration: Number(a['DURATION']), uri: a['URI']!, independent: a['INDEPENDENT'] === 'YES' });
        break;
      }
      case '#EXT-X-PRELOAD-HINT':
        p.preloadHint = attrs(value)['URI'];
        break;
      default:
        break;
    }
  }
  p.openParts = pending;
  p.openProgramDateTime = pdt;
  return p;
}

function splitTag(line: string): [string, string?] {
  const i = line.indexOf(':');
  return i < 0 ? [line] : [line.slice(0, i), line.slice(i + 1)];
}

export interface CheckOptions {
  /** Live LL-HLS (parts, server control, program date time) or VOD (type, end list). */
  kind: 'live' | 'vod';
}

/** Rule violations of one playlist; empty when it is fine. */
export function checkPlaylist(p: ParsedPlaylist, o: CheckOptions): string[] {
  const bad: string[] = [];
  const td = p.targetDuration;
  if (td === undefined || !Number.isInteger(td) || td < 1) bad.push(`EXT-X-TARGETDURATION must be a positive integer, got ${td}`);
  if (!p.map) bad.push('EXT-X-MAP (the fMP4 init segment) is missing');
  if (p.segments.length === 0) bad.push('no complete segment');
  for (const s of p.segments) {
    if (!(s.duration > 0)) bad.push(`segment ${s.msn}: EXTINF ${s.duration} is not positive`);
    if (td !== undefined && Math.round(s.duration) > td) bad.push(`segment ${s.msn}: EXTINF ${s.duration} rounds above TARGETDURATION ${td}`);
  }
  if ('CAN-SKIP-UNTIL' in p.serverControl) bad.push('CAN-SKIP-UNTIL is advertised but no delta playlists are served');
  if (o.kind === 'vod') {
    if (p.playlistType !== 'VOD') bad.push(`EXT-X-PLAYLIST-TYPE is ${p.playlistType}, want VOD`);
    if (!p.endList) bad.push('a VOD playlist needs EXT-X-ENDLIST');
    return bad;
  }
  if ((p.version ?? 0) < 9) bad.push(`EXT-X-VERSION ${p.version} < 9`);
  const pt = p.partTarget;
  if (pt === undefined || !(pt > 0)) bad.push('EXT-X-PART-INF:PART-TARGET is missing');
  if (p.serverControl['CAN-BLOCK-RELOAD'] !== 'YES') bad.push('EXT-X-SERVER-CONTROL lacks CAN-BLOCK-RELOAD=YES');
  const phb = Number(p.serverControl['PART-HOLD-BACK']);
  if (pt !== undefined && !(phb >= 3 * pt - 1e-6)) bad.push(`PART-HOLD-BACK ${phb} < 3 x PART-TARGET ${pt}`);
  const hb = Number(p.serverControl['HOLD-BACK']);
  if (td !== undefined && !(hb >= 3 * td - 1e-6)) bad.push(`HOLD-BACK ${hb} < 3 x TARGETDURATION ${td}`);
  if (!p.endList && !p.preloadHint) bad.push('a live LL-HLS playlist needs EXT-X-PRELOAD-HINT');
  const allParts = [...p.segments.flatMap((s) => s.parts), ...p.openParts];
  for (const part of allParts) {
    if (pt !== undefined && part.duration > pt + 1e-5) bad.push(`part ${part.uri}: DURATION ${part.duration} > PART-TARGET ${pt}`);
  }
  for (const s of p.segments) {
    if (s.programDateTime === undefined || Number.isNaN(s.programDateTime)) bad.push(`segment ${s.msn}: no EXT-X-PROGRAM-DATE-TIME`);
    if (s.parts.length === 0) continue;
    const sum = s.parts.reduce((n, x) => n + x.duration, 0);
    if (Math.abs(sum - s.duration) > 0.001) bad.push(`segment ${s.msn}: parts add up to ${sum.toFixed(5)}, EXTINF is ${s.duration}`);
    if (!s.parts[0]!.independent) bad.push(`segment ${s.msn}: first part is not INDEPENDENT=YES (segments start at key frames)`);
  }
  if (p.openParts.length > 0 && !p.openParts[0]!.independent && p.segments.length > 0) {
    bad.push('the open segment\'s first part is not INDEPENDENT=YES');
  }
  return bad;
}

/** Rules across reloads of one live playlist: media sequence never goes back, a segment never changes. */
export class PlaylistHistory {
  private readonly seen = new Map<number, { uri: string; duration: number }>();
  private lastSequence = -1;
  private targetDuration: number | undefined;
  readonly problems: string[] = [];
  reloads = 0;

  add(p: ParsedPlaylist): void {
    this.reloads++;
    if (p.mediaSequence < this.lastSequence) this.problems.push(`media sequence went back from ${this.lastSequence} to ${p.mediaSequence}`);
    this.lastSequence = p.mediaSequence;
    if (this.targetDuration !== undefined && p.targetDuration !== this.targetDuration) {
      this.problems.push(`TARGETDURATION changed from ${this.targetDuration} to ${p.targetDuration}`);
    }
    this.targetDuration = p.targetDuration;
    for (const s of p.segments) {
      const before = this.seen.get(s.msn);
      if (before && (before.uri !== s.uri || Math.abs(before.duration - s.duration) > 1e-9)) {
        this.problems.push(`segment ${s.msn} changed between reloads: ${before.uri} ${before.duration} -> ${s.uri} ${s.duration}`);
      }
      this.seen.set(s.msn, { uri: s.uri, duration: s.duration });
    }
  }
}
