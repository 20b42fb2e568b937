// Helpers of the headers whose values may hold quoted strings (Transport, KeyMgmt): splitting outside quotes, quoting a value for an error.

/** Splits on `sep` except inside double quotes (RFC 2326 §12.39 allows mode="PLAY,RECORD"). */
export function splitOutsideQuotes(text: string, sep: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (c === sep && !quoted) {
      out.push(text.slice(from, i));
      from = i + 1;
    }
  }
  out.push(text.slice(from));
  return out;
}

/** A value as an error message shows it: quoted, cut at 60 characters. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
