// A minimal HLS client for tests: fetches the playlist, its init segment and its newest segment.

/** Fetches `base`/index.m3u8, the init segment and the last complete segment; returns the bytes read. */
export async function hlsFetchOnce(base: string): Promise<number> {
  const r = await fetch(`${base}/index.m3u8`);
  if (r.status !== 200) throw new Error(`playlist: HTTP ${r.status} ${await r.text()}`);
  const text = await r.text();
  let bytes = Buffer.byteLength(text);
  const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(text)?.[1];
  const segs = text.split('\n').filter((l) => /^seg-.*\.mp4/.test(l.trim()));
  for (const uri of [init, segs.at(-1)]) {
    if (!uri) continue;
    const s = await fetch(`${base}/${uri.trim()}`);
    if (s.status !== 200) throw new Error(`${uri}: HTTP ${s.status}`);
    bytes += (await s.arrayBuffer()).byteLength;
  }
  return bytes;
}
