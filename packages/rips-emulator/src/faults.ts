import type { ServerResponse } from 'node:http';

import { invalidInput } from './errors.js';
import { httpDate, sendJson } from './http.js';
import type { Fault, FaultKind } from './types.js';

/** Characters that a header value cannot carry: they would split or end the header. */
const HEADER_BREAK = /[\r\n\0]/;

/** A fault as stored: its id and the number of hits left. */
export interface FaultRecord {
  id: string;
  fault: Fault;
  remaining: number;
}

const KINDS: readonly FaultKind[] = [
  'status',
  'delay',
  'reset',
  'html',
  'empty',
  'truncated-json',
  'large',
  'redirect',
];

/** Largest body the `large` kind sends: 1 GiB. */
const MAX_LARGE_MIB = 1024;

function isStatus(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599;
}

function optionalStatus(input: Record<string, unknown>): { status?: number } {
  const status = input['status'];
  if (status === undefined) {
    return {};
  }
  if (!isStatus(status)) {
    throw invalidInput({ status: 'expected an HTTP status from 100 to 599' });
  }
  return { status };
}

/** Checks the kind-specific fields of a fault. Raises 400 `Invalid input` naming the field. */
function parseKind(kind: FaultKind, input: Record<string, unknown>): Fault {
  const path = input['path'] as string;
  switch (kind) {
    case 'status': {
      const { status, retryAfter, body } = input;
      if (!isStatus(status)) {
        throw invalidInput({ status: 'expected an HTTP status from 100 to 599' });
      }
      if (
        retryAfter !== undefined &&
        typeof retryAfter !== 'number' &&
        (typeof retryAfter !== 'string' || HEADER_BREAK.test(retryAfter))
      ) {
        throw invalidInput({ retryAfter: 'expected seconds or an HTTP date' });
      }
      return {
        path,
        kind,
        status,
        ...(retryAfter === undefined ? {} : { retryAfter }),
        ...(body === undefined ? {} : { body }),
      };
    }
    case 'delay': {
      const ms = input['ms'];
      if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > 600_000) {
        throw invalidInput({ ms: 'expected an integer from 0 to 600000' });
      }
      return { path, kind, ms };
    }
    case 'reset': {
      const after = input['after'] ?? 'headers';
      if (after !== 'headers' && after !== 'partial-body') {
        throw invalidInput({ after: 'expected "headers" or "partial-body"' });
      }
      return { path, kind, after };
    }
    case 'large': {
      const mib = input['mib'];
      if (typeof mib !== 'number' || !(mib > 0) || mib > MAX_LARGE_MIB) {
        throw invalidInput({ mib: `expected a number of MiB above 0, at most ${MAX_LARGE_MIB}` });
      }
      return { path, kind, mib, ...optionalStatus(input) };
    }
    case 'redirect': {
      const location = input['location'];
      if (typeof location !== 'string' || location === '' || HEADER_BREAK.test(location)) {
        throw invalidInput({ location: 'expected a URL' });
      }
      return { path, kind, location, ...optionalStatus(input) };
    }
    case 'html':
    case 'empty':
    case 'truncated-json':
      return { path, kind, ...optionalStatus(input) };
  }
}

/** Checks a fault from the control API. */
export function parseFault(input: unknown): Fault {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalidInput({ fault: 'expected a JSON object' });
  }
  const fields = input as Record<string, unknown>;
  const { path, method, times, kind } = fields;
  if (typeof path !== 'string' || !(path.startsWith('/') || path === '*')) {
    throw invalidInput({ path: 'expected a path starting with /, a prefix ending in *, or *' });
  }
  if (method !== undefined && (typeof method !== 'string' || method === '')) {
    throw invalidInput({ method: 'expected an HTTP method' });
  }
  if (times !== undefined && (typeof times !== 'number' || !Number.isInteger(times) || times < 1)) {
    throw invalidInput({ times: 'expected a positive integer' });
  }
  if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) {
    throw invalidInput({ kind: `expected one of ${KINDS.join(', ')}` });
  }
  const fault = parseKind(kind as FaultKind, fields);
  if (method !== undefined) {
    fault.method = (method as string).toUpperCase();
  }
  if (times !== undefined) {
    fault.times = times as number;
  }
  return fault;
}

/** Faults waiting for matching requests, in the order they were added. */
export class FaultStore {
  private records: FaultRecord[] = [];
  private nextId = 1;

  add(fault: Fault): FaultRecord {
    const record = { id: String(this.nextId), fault, remaining: fault.times ?? 1 };
    this.nextId += 1;
    this.records.push(record);
    return record;
  }

  clear(): void {
    this.records = [];
  }

  list(): FaultRecord[] {
    return [...this.records];
  }

  /** Takes one hit of the first fault that matches a request. Spent faults are removed. */
  take(method: string, path: string): FaultRecord | undefined {
    const record = this.records.find(({ fault }) => {
      const methodMatches = fault.method === undefined || fault.method === method;
      const pathMatches = fault.path.endsWith('*')
        ? path.startsWith(fault.path.slice(0, -1))
        : path === fault.path;
      return methodMatches && pathMatches;
    });
    if (record === undefined) {
      return undefined;
    }
    record.remaining -= 1;
    if (record.remaining <= 0) {
      this.records = this.records.filter((item) => item !== record);
    }
    return record;
  }
}

const HTML_PAGE =
  '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n' +
  '<body><h1>Bad Gateway</h1><p>The proxy server received an invalid response.</p></body></html>\n';

function writeLargeBody(res: ServerResponse, nowMs: number, status: number, mib: number): void {
  const size = Math.round(mib * 1024 * 1024);
  const prefix = '{"data":"';
  const suffix = '"}';
  const fill = Math.max(0, size - prefix.length - suffix.length);
  res.writeHead(status, {
    Date: httpDate(nowMs),
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(prefix.length + fill + suffix.length),
  });
  res.write(prefix);
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let left = fill;
  const writeMore = (): void => {
    while (left > 0) {
      const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      if (!res.write(piece)) {
        res.once('drain', writeMore);
        return;
      }
    }
    res.end(suffix);
  };
  writeMore();
}

/** Returns the status a fault sends; 200 for `delay` and `reset`, which send 200 headers. */
export function faultStatus(fault: Fault): number {
  switch (fault.kind) {
    case 'status':
      return fault.status;
    case 'html':
      return fault.status ?? 502;
    case 'redirect':
      return fault.status ?? 302;
    case 'empty':
    case 'truncated-json':
    case 'large':
      return fault.status ?? 200;
    case 'delay':
    case 'reset':
      return 200;
  }
}

/**
 * Responds to a request with a fault in place of the normal response. Returns false for
 * `delay`, whose normal response follows after the wait.
 */
export async function applyFault(
  fault: Fault,
  res: ServerResponse,
  nowMs: number,
): Promise<boolean> {
  const date = httpDate(nowMs);
  switch (fault.kind) {
    case 'delay':
      // The timer is unreferenced so that a pending delay does not keep a stopped emulator alive.
      await new Promise((resolve) => setTimeout(resolve, fault.ms).unref());
      return false;
    case 'status': {
      const headers: Record<string, string> = {};
      if (fault.retryAfter !== undefined) {
        headers['Retry-After'] = String(fault.retryAfter);
      }
      const body = fault.body ?? { code: fault.status, message: 'Injected fault' };
      sendJson(res, nowMs, fault.status, body, headers);
      return true;
    }
    case 'reset':
      if (fault.after === 'partial-body') {
        res.writeHead(200, {
          Date: date,
          'Content-Type': 'application/json',
          'Content-Length': '64',
        });
        res.write('{"code":200,"message":"');
      } else {
        res.writeHead(200, {
          Date: date,
          'Content-Type': 'application/json',
          'Content-Length': '64',
        });
        res.flushHeaders();
      }
      // Give the written bytes a moment to leave before the connection is torn down.
      setTimeout(() => res.destroy(), 20);
      return true;
    case 'html':
      res.writeHead(faultStatus(fault), {
        Date: date,
        'Content-Type': 'text/html; charset=utf-8',
      });
      res.end(HTML_PAGE);
      return true;
    case 'empty':
      res.writeHead(faultStatus(fault), { Date: date, 'Content-Length': '0' });
      res.end();
      return true;
    case 'truncated-json': {
      const text = '{"code":200,"message":"trunc';
      res.writeHead(faultStatus(fault), {
        Date: date,
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': String(text.length),
      });
      res.end(text);
      return true;
    }
    case 'large':
      writeLargeBody(res, nowMs, faultStatus(fault), fault.mib);
      return true;
    case 'redirect':
      res.writeHead(faultStatus(fault), {
        Date: date,
        Location: fault.location,
        'Content-Length': '0',
      });
      res.end();
      return true;
  }
}
