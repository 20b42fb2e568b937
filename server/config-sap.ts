// The multicast-announcement part of the config: per path `multicast` and `sap`, top level sapAddress, sapInterval and publicHost (docs/sdp-sap.md).
import { z } from 'zod';
import { parseIpv4 } from './util/multicast-range.js';

/** `group:port`, an IPv4 multicast group (224.0.0.0/4) and a UDP port. */
const sapAddress = z
  .string()
  .trim()
  .superRefine((text, ctx) => {
    const m = /^([\d.]+):(\d{1,5})$/.exec(text);
    const n = m ? parseIpv4(m[1]!) : undefined;
    const port = m ? Number(m[2]) : 0;
    if (n === undefined || n >>> 28 !== 0xe || port < 1 || port > 65535) {
      ctx.addIssue({ code: 'custom', message: `${text} is not group:port with an IPv4 multicast group, e.g. 239.255.255.255:9875 (RFC 2974's administratively scoped SAP group)` });
    }
  });

/** Keys a path may set. */
export const SAP_PATH_FIELDS = {
  /** Send this live path to its multicast groups whenever it runs, with or without RTSP readers; GET /<path>.sdp then gives the plain multicast SDP (default false). */
  multicast: z.boolean().optional(),
  /** Announce this path by SAP (RFC 2974) on sapAddress while it runs, and send a deletion when it stops; implies multicast (default false). */
  sap: z.boolean().optional(),
};

/** Spread into the top-level ConfigSchema. */
export const SAP_CONFIG_FIELDS = {
  /** Where SAP announcements go, group:port (239.255.255.255:9875 is RFC 2974's group for the 239.255.0.0/16 scope that multicastIPRange defaults to). */
  sapAddress: sapAddress.default('239.255.255.255:9875'),
  /** Seconds between two announcements of one path, at least; RFC 2974's 4000 bit/s budget for all of them stretches it when many paths are announced. */
  sapInterval: z.number().min(1).max(300).default(5),
  /** Host name or address clients reach this server at, used in the URLs the server hands out (GET /<path>.sdp, SAP); default: the request's Host header. */
  publicHost: z.string().trim().min(1).optional(),
};

/** The `group` and `port` of a valid sapAddress. */
export function splitSapAddress(text: string): { group: string; port: number } {
  const i = text.lastIndexOf(':');
  return { group: text.slice(0, i), port: Number(text.slice(i + 1)) };
}
