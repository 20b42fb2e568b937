// Paths by pattern ("~regex" names in the config): which pattern serves a request path no name matches, in config order.
import type { LivePathSettings } from './live-path.js';
import type { OnDemandOptions, SourceDriver } from './on-demand.js';

/** What the config says about one named path (the parts PathManager acts on). */
export interface PathRule extends LivePathSettings {
  /** 302 to this URL instead of serving (RFC 2326 §11.3.3). */
  redirect?: string;
}

/** What the config makes of a pattern (configure-paths.ts builds it: the core never names a concrete source). */
export interface PathPattern {
  /** The rule for a concrete path the pattern matches (its groups filled in), or undefined when it does not match. */
  match(path: string): PathRule | undefined;
  /** A new source (relay, ffmpeg) for one concrete path `match` accepted; undefined for publisher patterns. */
  source(path: string): { driver: SourceDriver; opts: OnDemandOptions } | undefined;
}

/** Concrete paths with a source of their own, made from patterns, at most: each is one upstream pull. */
export const MAX_PATTERN_INSTANCES = 1000;

export class PathPatterns {
  private readonly byName = new Map<string, PathPattern>();

  set(name: string, p: PathPattern): void {
    this.byName.set(name, p);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  delete(name: string): PathPattern | undefined {
    const p = this.byName.get(name);
    this.byName.delete(name);
    return p;
  }

  /** Puts the patterns in this order (the config's): the first that matches a path serves it. Names not listed go last. */
  reorder(names: readonly string[]): void {
    const all = new Map(this.byName);
    this.byName.clear();
    for (const n of names) if (all.has(n)) this.byName.set(n, all.get(n)!);
    for (const [n, p] of all) if (!this.byName.has(n)) this.byName.set(n, p);
  }

  /** The first pattern (in config order) that matches `path`, with its rule for it. */
  find(path: string): { name: string; pattern: PathPattern; rule: PathRule } | undefined {
    if (this.byName.size === 0 || path === '') return undefined;
    for (const [name, pattern] of this.byName) {
      const rule = pattern.match(path);
      if (rule) return { name, pattern, rule };
    }
    return undefined;
  }
}
