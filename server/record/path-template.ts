// recordPath templates: strftime-style fields (%Y %m %d %H %M %S %f) and %path, to a file name and back.
import { join, resolve, sep } from 'node:path';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** The file (without extension) of a segment of `path` starting at `date` (local time, as strftime). `micros` 0..999999. */
export function renderRecordPath(template: string, path: string, date: Date, micros = date.getMilliseconds() * 1000): string {
  return template.replace(/%(path|[YmdHMSf%])/g, (_m, f: string) => {
    switch (f) {
      case 'path': return path;
      case 'Y': return pad(date.getFullYear(), 4);
      case 'm': return pad(date.getMonth() + 1);
      case 'd': return pad(date.getDate());
      case 'H': return pad(date.getHours());
      case 'M': return pad(date.getMinutes());
      case 'S': return pad(date.getSeconds());
      case 'f': return pad(micros, 6);
      default: return '%';
    }
  });
}

/** The directory every file of the template lies under: the part before the first field, up to a "/". */
export function recordRoot(template: string): string {
  const i = template.indexOf('%');
  const head = i < 0 ? template : template.slice(0, i);
  const cut = head.lastIndexOf('/');
  return resolve(cut < 0 ? '.' : head.slice(0, cut + 1) || '/');
}

const FIELD_RE: Record<string, string> = { Y: '\\d{4}', m: '\\d{2}', d: '\\d{2}', H: '\\d{2}', M: '\\d{2}', S: '\\d{2}', f: '\\d{6}' };

/**
 * A matcher of the template's files: absolute file name (without extension) to its path name, or
 * undefined when the file is not one of the template's.
 */
export function recordPathMatcher(template: string): (file: string) => string | undefined {
  const parse = recordPathParser(template);
  return (file) => parse(file)?.path;
}

/**
 * The template's files parsed: path name and, when the template has every field down to the second, the
 * local time its name gives (Unix ms; MPEG-TS segments have no other wall clock).
 */
export function recordPathParser(template: string): (file: string) => { path: string; timeMs?: number } | undefined {
  const first = template.indexOf('%');
  const head = first < 0 ? template : template.slice(0, first);
  let prefix = resolve(head || '.');
  if ((head === '' || head.endsWith('/')) && !prefix.endsWith(sep)) prefix += sep;
  let re = '';
  const fields: string[] = [];
  for (const part of template.slice(head.length).split(/(%path|%[YmdHMSf%])/)) {
    if (part === '%path') (re += '(.+?)'), fields.push('path');
    else if (part === '%%') re += '%';
    else if (/^%[YmdHMSf]$/.test(part)) (re += `(${FIELD_RE[part[1]!]!})`), fields.push(part[1]!);
    else re += part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const rx = new RegExp(`^${re}$`);
  const timed = ['Y', 'm', 'd', 'H', 'M', 'S'].every((f) => fields.includes(f));
  return (file: string) => {
    const m = file.startsWith(prefix) ? rx.exec(file.slice(prefix.length)) : null;
    if (!m) return undefined;
    const v: Record<string, string> = {};
    fields.forEach((f, i) => (v[f] = m[i + 1]!));
    const n = (f: string): number => Number(v[f] ?? 0);
    const timeMs = timed ? new Date(n('Y'), n('m') - 1, n('d'), n('H'), n('M'), n('S')).getTime() + Math.floor(n('f') / 1000) : undefined;
    return { path: v.path!, ...(timeMs !== undefined ? { timeMs } : {}) };
  };
}

/** The absolute file of a segment: the rendered template plus the format's extension. */
export function segmentFile(template: string, path: string, date: Date, ext: string): string {
  return resolve(join(renderRecordPath(template, path, date) + ext));
}
