/**
 * Route table: Express-like patterns (`/api/v1/spaces/:spaceId`). When several patterns match, the one
 * with a static segment earliest wins (`/api/v1/spaces/types` before `/api/v1/spaces/:spaceId`).
 */
import type { RouteDef, RouteRegistry } from "./types.ts";

interface CompiledRoute {
  def: RouteDef;
  segments: { static: string | null; param: string | null }[];
}

export interface RouteMatch {
  route: RouteDef;
  params: Record<string, string>;
}

export class Router implements RouteRegistry {
  private readonly routes: CompiledRoute[] = [];

  add(route: RouteDef): void {
    const segments = route.pattern
      .split("/")
      .filter((s) => s !== "")
      .map((s) => (s.startsWith(":") ? { static: null, param: s.slice(1) } : { static: s, param: null }));
    this.routes.push({ def: route, segments });
  }

  /** The best route for method+path, or "method-not-allowed" when only other methods match. */
  match(method: string, path: string): RouteMatch | "method-not-allowed" | null {
    const parts = path.split("/").filter((s) => s !== "");
    let best: { c: CompiledRoute; params: Record<string, string>; score: string } | null = null;
    let otherMethod = false;
    for (const c of this.routes) {
      if (c.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let score = "";
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const seg = c.segments[i];
        if (seg.static !== null) {
          if (seg.static !== parts[i]) {
            ok = false;
            break;
          }
          score += "1";
        } else {
          let v: string;
          try {
            v = decodeURIComponent(parts[i]);
          } catch {
            ok = false;
            break;
          }
          params[seg.param as string] = v;
          score += "0";
        }
      }
      if (!ok) continue;
      if (c.def.method !== method) {
        otherMethod = true;
        continue;
      }
      if (!best || score > best.score) best = { c, params, score };
    }
    if (best) return { route: best.c.def, params: best.params };
    return otherMethod ? "method-not-allowed" : null;
  }
}
