import type { IncomingMessage } from 'node:http';

import type { RequestLogEntry } from './types.js';

/** Query parameters whose values may carry a credential and are therefore redacted. */
const SECRET_QUERY = /token|password|secret|code|key|auth|mfa/i;

/** Entries kept at most. The oldest are dropped first. */
const MAX_ENTRIES = 10_000;

/** Builds a log entry without any header value or body, and with secret-looking query values redacted. */
export function createLogEntry(
  req: IncomingMessage,
  path: string,
  query: URLSearchParams,
  nowMs: number,
  auth: RequestLogEntry['auth'],
): RequestLogEntry {
  const entry: RequestLogEntry = {
    method: req.method ?? 'GET',
    path,
    status: 0,
    headers: Object.keys(req.headers).sort(),
    time: new Date(nowMs).toISOString(),
    auth,
  };
  if (query.size > 0) {
    entry.query = {};
    for (const [name, value] of query) {
      entry.query[name] = SECRET_QUERY.test(name) ? '[redacted]' : value;
    }
  }
  return entry;
}

/** The control API's request log. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];

  add(entry: RequestLogEntry): void {
    this.entries.push(entry);
    if (this.entries.length > MAX_ENTRIES) {
      this.entries.shift();
    }
  }

  list(): RequestLogEntry[] {
    return [...this.entries];
  }

  clear(): void {
    this.entries = [];
  }
}
