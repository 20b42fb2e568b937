// The RTSP refusal line: client as address:port, the user named (never the password), info for a bare 401, warn otherwise, one line a minute in a flood, secrets masked.
import { describe, expect, it } from 'vitest';
import { NoticeLog } from '../../server/limits/notice-log.js';
import type { ServerContext } from '../../server/rtsp/context.js';
import { RtspError } from '../../server/rtsp/errors.js';
import { RtspHeaders } from '../../server/rtsp/headers-map.js';
import type { RtspRequest } from '../../server/rtsp/message.js';
import type { ConnectionInfo } from '../../server/rtsp/methods/request-context.js';
import { clientOf, logRefusal, userOf } from '../../server/rtsp/refusal-log.js';
import { captureLog } from '../helpers/log-capture.js';

function setup(): { server: ServerContext; lines: ReturnType<typeof captureLog>['lines'] } {
  const cap = captureLog();
  return { server: { notices: new NoticeLog(cap.logger) } as unknown as ServerContext, lines: cap.lines };
}

const conn = { id: 7, remoteAddress: '10.1.2.3', remotePort: 50123, tunnel: undefined, secure: false } as unknown as ConnectionInfo;
const req = (headers: Record<string, string> = {}, uri = 'rtsp://h/cam'): RtspRequest => ({ method: 'DESCRIBE', uri, version: 'RTSP/1.0', headers: new RtspHeaders(headers), body: new Uint8Array(0) });
const basic = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('RTSP refusal log', () => {
  it.each([
    ['10.0.0.1', 554, '10.0.0.1:554'],
    ['::1', 554, '[::1]:554'],
    ['10.0.0.1', undefined, '10.0.0.1'],
  ])('clientOf(%s, %s) = %s', (a, p, want) => expect(clientOf(a, p)).toBe(want));

  it.each([
    [undefined, undefined],
    [basic('alice', 'pw'), 'alice'],
    ['Digest username="bob", realm="r", nonce="n", uri="/", response="00"', 'bob'],
    ['Bearer abc.def', undefined],
    ['Basic !!!', undefined],
  ])('userOf(%s) = %s', (h, want) => expect(userOf(h, 'DESCRIBE')).toBe(want));

  it('a 401 without credentials is info; with credentials it is a warning naming the user, not the password', () => {
    const { server, lines } = setup();
    logRefusal(server, conn, req(), new RtspError(401, 'credentials needed'), 'cam');
    logRefusal(server, conn, req({ Authorization: basic('alice', 'hunter2') }), new RtspError(403, 'alice may not read /cam'), 'cam');
    expect(lines.map((l) => [l.level, l.status, l.client, l.path, l.user])).toEqual([
      [30, 401, '10.1.2.3:50123', '/cam', undefined],
      [40, 403, '10.1.2.3:50123', '/cam', 'alice'],
    ]);
    expect(JSON.stringify(lines)).not.toContain('hunter2');
  });

  it('a flood of refusals from one address is one line a minute; 3xx and 500 are not logged here', () => {
    const { server, lines } = setup();
    for (let i = 0; i < 500; i++) logRefusal(server, conn, req(), new RtspError(415, 'X is not supported'), 'cam');
    logRefusal(server, conn, req(), new RtspError(302, 'moved'), 'cam');
    logRefusal(server, conn, req(), new RtspError(500, 'failed'), 'cam');
    expect(lines).toHaveLength(1);
  });

  it('a token in the URL or the reason is masked', () => {
    const { server, lines } = setup();
    logRefusal(server, conn, req({}, 'rtsp://h/cam?token=s3cr3t'), new RtspError(400, '"rtsp://h/cam?token=s3cr3t" is bad'));
    expect(lines).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain('s3cr3t');
  });
});
