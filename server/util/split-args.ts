// Splits a configured ffmpeg argument string into argv the way a POSIX shell would (quotes, backslashes), without running one.

export class ArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArgsError';
  }
}

/**
 * `-vf "drawtext=text='%{pts\:hms}'" -i 'my clip.mp4'` -> ['-vf', "drawtext=text='%{pts\\:hms}'", '-i', 'my clip.mp4'].
 * Single quotes keep everything; inside double quotes a backslash escapes only $ ` " \ (as in sh);
 * outside quotes it escapes any character. No variables, globs or substitutions: what is written is passed.
 */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else cur += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < text.length && '$`"\\\n'.includes(text[i + 1]!)) cur += text[++i];
      else cur += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 < text.length) cur += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new ArgsError(`unterminated ${quote === '"' ? 'double' : 'single'} quote in ffmpeg arguments: ${text}`);
  if (inWord) out.push(cur);
  return out;
}
