import { describe, expect, it } from 'vitest';
import { hideSecrets } from '../../server/util/hide-secrets.js';

describe('hideSecrets', () => {
  it.each([
    ['/cam/index.m3u8?token=abc.def', '/cam/index.m3u8?token=***'],
    ['/cam/index.m3u8?_HLS_msn=4&token=abc&_HLS_part=1', '/cam/index.m3u8?_HLS_msn=4&token=***&_HLS_part=1'],
    ['/x?TOKEN=a&password=b&pass=c&access_token=d#frag', '/x?TOKEN=***&password=***&pass=***&access_token=***#frag'],
    ['/x?mytoken=keep&tokens=keep', '/x?mytoken=keep&tokens=keep'],
    ['/cam/stream.mp4', '/cam/stream.mp4'],
    ['/x?token=', '/x?token=***'],
  ])('%s -> %s', (url, logged) => {
    expect(hideSecrets(url)).toBe(logged);
  });
});
