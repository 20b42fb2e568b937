// The README's telnet transcript as exchanges: what was typed, and the answer's status, headers and body.

export interface TypedExchange {
  /** The typed lines, each ended by a bare LF as telnet sends them. */
  request: string;
  status: string;
  headers: [string, string][];
  body: string;
}

/** Splits `> ` lines (typed) from the server's lines; a run of typed lines is one request. */
export function parseTranscript(text: string): TypedExchange[] {
  const lines = text.split('\n').filter((l) => !l.startsWith('$ '));
  const out: TypedExchange[] = [];
  let i = 0;
  while (i < lines.length) {
    const typed: string[] = [];
    while (i < lines.length && /^>( |$)/.test(lines[i]!)) typed.push(lines[i++]!.replace(/^> ?/, ''));
    if (typed.length === 0) {
      i++;
      continue;
    }
    const answer: string[] = [];
    while (i < lines.length && !/^>( |$)/.test(lines[i]!)) answer.push(lines[i++]!);
    out.push({ request: typed.map((l) => l + '\n').join(''), ...parseAnswer(answer) });
  }
  return out;
}

function parseAnswer(lines: string[]): Omit<TypedExchange, 'request'> {
  const blank = lines.indexOf('');
  const head = blank < 0 ? lines : lines.slice(0, blank);
  const headers = head.slice(1).map((l): [string, string] => {
    const c = l.indexOf(':');
    return [l.slice(0, c), l.slice(c + 1).trim()];
  });
  const length = Number(headers.find(([n]) => n.toLowerCase() === 'content-length')?.[1] ?? 0);
  const body = length > 0 ? lines.slice(blank + 1).join('\n').replace(/\n+$/, '') : '';
  return { status: head[0] ?? '', headers, body };
}
