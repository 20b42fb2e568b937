// The routes an express app answers, read from its router (express 5 / router 2): the OpenAPI document
// lists only operations the app has, and a test checks every API route the app has is documented.
import type { Express } from 'express';

interface LayerLike {
  match(path: string): false | { path: string };
  route?: { path: unknown; _handlesMethod(method: string): boolean; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[] };
}

/** One route handler: whether it answers a method at a URL path. */
export interface AppRoute {
  /** Its path as written (a string, or a RegExp's source). */
  pattern: string;
  methods: string[];
  answers(method: string, urlPath: string): boolean;
}

function stackOf(app: Express): LayerLike[] {
  return ((app as unknown as { router?: { stack?: LayerLike[] } }).router?.stack ?? []) as LayerLike[];
}

/** Every route of the app, nested routers included (their mount prefix is part of the match). */
export function appRoutes(app: Express): AppRoute[] {
  const out: AppRoute[] = [];
  const walk = (stack: LayerLike[], through: (urlPath: string) => string | undefined): void => {
    for (const layer of stack) {
      const route = layer.route;
      if (route) {
        out.push({
          pattern: route.path instanceof RegExp ? route.path.source : String(route.path),
          methods: Object.keys(route.methods).filter((m) => route.methods[m]).map((m) => m.toUpperCase()),
          answers: (method, urlPath) => {
            const rest = through(urlPath);
            return rest !== undefined && layer.match(rest) !== false && route._handlesMethod(method);
          },
        });
      } else if (layer.handle?.stack) {
        // A mounted router: its routes see the path with the mount prefix removed.
        walk(layer.handle.stack, (urlPath) => {
          const rest = through(urlPath);
          if (rest === undefined) return undefined;
          const m = layer.match(rest);
          return m === false ? undefined : rest.slice(m.path.length) || '/';
        });
      }
    }
  };
  walk(stackOf(app), (p) => p);
  return out;
}

/** True when some route of the app answers `method` at `urlPath`. */
export function appAnswers(routes: AppRoute[], method: string, urlPath: string): boolean {
  return routes.some((r) => r.answers(method, urlPath));
}
