// An RTSP failure that carries the status to answer with; turned into a response only by the connection.

export const STATUS_REASONS: Record<number, string> = {
  200: 'OK',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Large',
  415: 'Unsupported Media Type',
  431: 'Request Header Fields Too Large',
  451: 'Parameter Not Understood',
  453: 'Not Enough Bandwidth',
  454: 'Session Not Found',
  455: 'Method Not Valid in This State',
  456: 'Header Field Not Valid for Resource',
  457: 'Invalid Range',
  458: 'Parameter Is Read-Only',
  459: 'Aggregate Operation Not Allowed',
  460: 'Only Aggregate Operation Allowed',
  461: 'Unsupported Transport',
  462: 'Destination Unreachable',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'RTSP Version Not Supported',
  551: 'Option not supported',
};

export class RtspError extends Error {
  /** RTSP status code to answer with. */
  readonly status: number;
  /** Human-readable explanation, sent in the body (text/plain) so a person at a telnet prompt can read it. */
  readonly reason: string;
  /** True when the connection cannot continue (framing lost) and must be closed after the answer. */
  readonly fatal: boolean;

  /** Extra response headers, e.g. Location on a 302 (RFC 2326 §12.25); a list is one header line per value (WWW-Authenticate). */
  readonly headers: Record<string, string | readonly string[]> | undefined;

  constructor(status: number, reason: string, fatal = false, headers?: Record<string, string | readonly string[]>) {
    super(`${status} ${STATUS_REASONS[status] ?? 'Error'}: ${reason}`);
    this.name = 'RtspError';
    this.status = status;
    this.reason = reason;
    this.fatal = fatal;
    this.headers = headers;
  }
}
