// Paths by pattern: a path name "~regex" serves every request path it matches; $G0 (the whole match) and $G1..$G9 (its groups) fill in its source.

/** Why a "~regex" path name cannot be used, or undefined when its regular expression compiles. */
export function pathRegexProblem(name: string): string | undefined {
  const body = name.slice(1);
  if (body === '') return 'a "~" path name needs a regular expression after the "~", e.g. "~^cams/(.+)$"';
  try {
    new RegExp(body);
  } catch (e) {
    return `${JSON.stringify(name)} is not a regular expression (${(e as Error).message}); write e.g. "~^cams/(.+)$"`;
  }
  return undefined;
}

/** True for path names that are patterns ("~^cams/(.+)$"), not names. */
export function isPathRegex(name: string): boolean {
  return name.startsWith('~');
}

/** The pattern's regular expression, matched as written: anchored only where it says ^ and $ (as permissions' "~" paths are). */
export function compilePathRegex(name: string): RegExp {
  return new RegExp(name.slice(1));
}

/** [$G0, $G1, ...] when `re` matches `path` (a group that took no part is ''), else undefined. */
export function matchPathRegex(re: RegExp, path: string): string[] | undefined {
  const m = re.exec(path);
  return m ? [...m].map((g) => g ?? '') : undefined;
}

/** `text` with $G0..$G9 replaced by the match's groups (a group the regex does not have is ''), each through `encode`. */
export function substituteGroups(text: string, groups: readonly string[], encode: (g: string) => string = (g) => g): string {
  return text.replace(/\$G(\d)/g, (_all, d: string) => encode(groups[Number(d)] ?? ''));
}

/** A group put into a URL: each path segment percent-encoded, the "/" between them kept ("cams/door 1" -> "cams/door%201"). */
export function encodeUrlPath(g: string): string {
  return g.split('/').map(encodeURIComponent).join('/');
}
