// The encryption part of the config schema: serverCert/serverKey (PEM files), rtspsPort, httpsPort, rtspEncryption.
import { z } from 'zod';

const port = z.number().int().min(0).max(65535);

export const RTSP_ENCRYPTION = ['no', 'optional', 'strict'] as const;
export type RtspEncryption = (typeof RTSP_ENCRYPTION)[number];

export const TLS_CONFIG_FIELDS = {
  /**
   * PEM certificate (chain) file. With serverKey it turns on HTTPS + WSS on httpsPort and, unless
   * rtspEncryption is `no`, RTSPS on rtspsPort. Both files are read again when they change.
   */
  serverCert: z.string().min(1, 'must be the path of a PEM certificate file, e.g. /etc/tidecast/server.crt').optional(),
  /** PEM private key file of serverCert. */
  serverKey: z.string().min(1, 'must be the path of a PEM private key file, e.g. /etc/tidecast/server.key').optional(),
  /** RTSPS (RTSP over TLS) TCP port. */
  rtspsPort: port.default(8322),
  /** HTTPS port: the same API, player, HLS and progressive streams as httpPort, and WSS. */
  httpsPort: port.default(8443),
  /**
   * `no`: RTSP in the clear only. `optional`: RTSPS beside plain RTSP (when a certificate is set).
   * `strict`: RTSPS only; plain RTSP (and RTSP tunnelled over plain HTTP/WS) is refused with a reason.
   */
  rtspEncryption: z.enum(RTSP_ENCRYPTION, { message: `must be one of ${RTSP_ENCRYPTION.join(', ')}` }).default('optional'),
};

interface TlsSettings {
  serverCert?: string | undefined;
  serverKey?: string | undefined;
  rtspEncryption: RtspEncryption;
}

export function checkTlsConfig(c: TlsSettings, ctx: z.RefinementCtx): void {
  if ((c.serverCert === undefined) !== (c.serverKey === undefined)) {
    const missing = c.serverCert === undefined ? 'serverCert' : 'serverKey';
    ctx.addIssue({ code: 'custom', path: [missing], message: 'serverCert and serverKey go together: set both (tidecast cert makes a self-signed pair to try it), or neither' });
  }
  if (c.rtspEncryption === 'strict' && c.serverCert === undefined) {
    ctx.addIssue({ code: 'custom', path: ['rtspEncryption'], message: 'strict refuses plain RTSP, so it needs serverCert and serverKey for RTSPS (tidecast cert makes a self-signed pair)' });
  }
}

/** Whether the config has a certificate (HTTPS and, unless rtspEncryption is `no`, RTSPS). */
export const hasCertificate = (c: { serverCert?: string | undefined; serverKey?: string | undefined }): boolean =>
  c.serverCert !== undefined && c.serverKey !== undefined;

/** Whether an RTSPS listener runs. */
export const rtspsEnabled = (c: TlsSettings): boolean => hasCertificate(c) && c.rtspEncryption !== 'no';
