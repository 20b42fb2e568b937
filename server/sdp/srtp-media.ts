// What an SDP says about SRTP per m= line: RTP/SAVP or not, and the MIKEY key of its a=key-mgmt (RFC 4567 §3.1).

interface Described {
  protocol?: unknown;
  /** The attributes sdp-transform does not know (a=key-mgmt among them). */
  invalid?: { value: string }[];
}

const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** The data of an `a=key-mgmt:mikey <base64>`, or undefined. */
function keyMgmtOf(invalid: { value: string }[] | undefined): string | undefined {
  for (const a of invalid ?? []) {
    const m = /^key-mgmt:\s*mikey\s+(\S+)\s*$/i.exec(text(a.value));
    if (m) return m[1];
  }
  return undefined;
}

/** Per medium: RTP/SAVP, and its key (the session-level one when the medium has none). */
export function srtpOfMedia(session: Described, media: Described[]): { srtp: boolean[]; keyMgmt: (string | undefined)[] } {
  const sessionKey = keyMgmtOf(session.invalid);
  return {
    srtp: media.map((m) => /^RTP\/SAVP/i.test(text(m.protocol))),
    keyMgmt: media.map((m) => keyMgmtOf(m.invalid) ?? sessionKey),
  };
}
