// Language codes of tracks (ISO 639-1, ISO 639-2/B and /T): tell two codes of one language apart from two languages, and name them.
// A leaf: runtime-neutral, imports nothing.

/** [639-1, 639-2/T, 639-2/B (when it differs), English name] for the languages most media is tagged with. */
const TABLE: readonly (readonly [string, string, string | null, string])[] = [
  ['ar', 'ara', null, 'Arabic'],
  ['cs', 'ces', 'cze', 'Czech'],
  ['da', 'dan', null, 'Danish'],
  ['de', 'deu', 'ger', 'German'],
  ['el', 'ell', 'gre', 'Greek'],
  ['en', 'eng', null, 'English'],
  ['es', 'spa', null, 'Spanish'],
  ['fa', 'fas', 'per', 'Persian'],
  ['fi', 'fin', null, 'Finnish'],
  ['fr', 'fra', 'fre', 'French'],
  ['he', 'heb', null, 'Hebrew'],
  ['hi', 'hin', null, 'Hindi'],
  ['hu', 'hun', null, 'Hungarian'],
  ['it', 'ita', null, 'Italian'],
  ['ja', 'jpn', null, 'Japanese'],
  ['ko', 'kor', null, 'Korean'],
  ['nl', 'nld', 'dut', 'Dutch'],
  ['no', 'nor', null, 'Norwegian'],
  ['pl', 'pol', null, 'Polish'],
  ['pt', 'por', null, 'Portuguese'],
  ['ro', 'ron', 'rum', 'Romanian'],
  ['ru', 'rus', null, 'Russian'],
  ['sv', 'swe', null, 'Swedish'],
  ['tr', 'tur', null, 'Turkish'],
  ['uk', 'ukr', null, 'Ukrainian'],
  ['zh', 'zho', 'chi', 'Chinese'],
];

const BY_CODE = new Map<string, (typeof TABLE)[number]>();
for (const row of TABLE) {
  BY_CODE.set(row[0], row);
  BY_CODE.set(row[1], row);
  if (row[2]) BY_CODE.set(row[2], row);
}

/** A language tag as SDP (RFC 4566 §6 a=lang) and HLS (RFC 5646) write them: letters, digits and hyphens, at most 35 characters. */
const TAG = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,6}$/;

/**
 * The code a source gave, kept as written (lower-case primary subtag), or undefined when it says
 * nothing: absent, empty, malformed, or ISO 639-2 "und" (undetermined), "zxx", "mis", "mul".
 */
export function cleanLanguage(code: string | null | undefined): string | undefined {
  if (typeof code !== 'string') return undefined;
  const c = code.trim();
  if (c.length > 35 || !TAG.test(c)) return undefined;
  const [primary, ...rest] = c.split('-');
  const p = primary!.toLowerCase();
  if (p === 'und' || p === 'zxx' || p === 'mis' || p === 'mul') return undefined;
  return [p, ...rest].join('-');
}

/** The primary subtag in its shortest form ("fre", "fra", "fr-CA" -> "fr"): what RFC 5646 (HLS LANGUAGE) asks for. */
export function languageTag(code: string): string {
  const [primary, ...rest] = code.split('-');
  const row = BY_CODE.get(primary!.toLowerCase());
  return [row ? row[0] : primary!.toLowerCase(), ...rest].join('-');
}

/** Whether two codes name the same language ("fre", "fra", "fr" and "fr-FR" all do); region subtags are ignored. */
export function sameLanguage(a: string, b: string): boolean {
  return languageTag(a).split('-')[0] === languageTag(b).split('-')[0];
}

/** The English name of a language ("French"), or the code itself when it is not in the table. */
export function languageName(code: string): string {
  return BY_CODE.get(code.split('-')[0]!.toLowerCase())?.[3] ?? code;
}

/**
 * ISO 639-2/T code for an MP4 'mdhd' box (ISO 14496-12 §8.4.2.3: three lower-case letters), or
 * "und" when the language has no three-letter code we know.
 */
export function iso6392T(code: string | undefined): string {
  if (!code) return 'und';
  const p = code.split('-')[0]!.toLowerCase();
  const row = BY_CODE.get(p);
  if (row) return row[1];
  return /^[a-z]{3}$/.test(p) ? p : 'und';
}

/**
 * Whether `wanted` (a query such as `?audio=fre`, `fr`, `French`) picks a track of language
 * `code`: by any of its codes or by its English name, case-insensitively.
 */
export function languageMatches(wanted: string, code: string | undefined): boolean {
  if (!code) return false;
  const w = wanted.trim().toLowerCase();
  if (w === '') return false;
  if (w === code.toLowerCase() || w === languageName(code).toLowerCase()) return true;
  return TAG.test(w) && sameLanguage(w, code);
}
