import type { IncomingMessage } from 'node:http';

import { ApiError, notFound } from './errors.js';
import type { JsonResponse } from './http.js';
import type { EmulatorState } from './state.js';

/** Request data passed to a route handler. */
export interface RouteContext {
  state: EmulatorState;
  req: IncomingMessage;
  query: URLSearchParams;
  /** Values of the `:name` segments of the route pattern. */
  params: Record<string, string>;
  body: Buffer;
}

/** One method and path pattern, such as `GET /applications/:id`. */
export interface Route {
  method: string;
  pattern: string;
  handler: (context: RouteContext) => Promise<JsonResponse>;
}

/** Route patterns split into segments once, because matching runs on every request. */
const patternSegments = new Map<string, string[]>();

function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  let expected = patternSegments.get(pattern);
  if (expected === undefined) {
    expected = pattern.split('/');
    patternSegments.set(pattern, expected);
  }
  const actual = path.split('/');
  if (expected.length !== actual.length) {
    return undefined;
  }
  const params: Record<string, string> = {};
  for (const [index, segment] of expected.entries()) {
    const value = actual[index] ?? '';
    if (segment.startsWith(':')) {
      if (value === '') {
        return undefined;
      }
      try {
        params[segment.slice(1)] = decodeURIComponent(value);
      } catch {
        // Malformed percent-encoding matches no route.
        return undefined;
      }
    } else if (segment !== value) {
      return undefined;
    }
  }
  return params;
}

/**
 * Finds the route for a request. A path that no route has raises 404. A path served only for
 * other methods raises 405 with an `Allow` header.
 */
export function findRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } {
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPattern(route.pattern, path);
    if (params === undefined) {
      continue;
    }
    if (route.method === method) {
      return { route, params };
    }
    allowed.push(route.method);
  }
  if (allowed.length === 0) {
    throw notFound();
  }
  throw new ApiError(405, 'Method not allowed', { headers: { Allow: allowed.join(', ') } });
}
