// Secrets out of a config before it is shown (--print-config, GET /api/v1/config): passwords, URL userinfo passwords, tokens.
import { stringify as stringifyYaml } from 'yaml';

export const MASK = '***';

/** Keys whose string values are secrets wherever they appear (authUsers' pass, and any token/secret/password field). */
const SECRET_KEY = /^(?:pass|passwd|password|secret|token|apikey|api_key)$|(?:Password|Secret|Token|ApiKey)$|^(?:secret|token)[A-Z_]/;

/** user:password@ in any URL written in a string ("rtsp://admin:hunter2@cam/x", or inside ffmpeg arguments). */
const USERINFO_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^/@\s:]*):[^@\s/]*@/gi;

/** `text` with the password of every URL in it replaced by ***: "rtsp://admin:***@cam/x". The user name stays (it says who). */
export function maskUrls(text: string): string {
  return text.replace(USERINFO_PASSWORD, `$1:${MASK}@`);
}

/** True when a field of this name holds a secret (a number such as authTokenLifetime is never masked). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** A deep copy of `value` with every secret masked: for people and logs, never to be loaded back. */
export function maskSecrets<T>(value: T): T {
  return mask(value, undefined) as T;
}

function mask(value: unknown, key: string | undefined): unknown {
  if (typeof value === 'string') return key !== undefined && isSecretKey(key) ? MASK : maskUrls(value);
  if (Array.isArray(value)) return value.map((v) => mask(v, undefined));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, mask(v, k)]));
  }
  return value;
}

/** `tidecast serve --print-config`: the effective config as YAML, secrets masked, with a line saying where it came from. */
export function formatConfigYaml(config: object, file: string | undefined): string {
  const from = file ? `the defaults, ${file} and the flags` : 'the defaults and the flags';
  return `# Effective Tidecast config: ${from}; secrets masked (${MASK}).\n${stringifyYaml(maskSecrets(config))}`;
}
