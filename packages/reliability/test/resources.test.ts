import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { readActionMetadata, runAction, useEmulator } from '@rips-actions/action-testkit';
import { Session } from '@rips-actions/auth-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { formatMib, noteRecorder, observeCore, parseGnuTimeMaxRss } from '../src/index.js';
import { CI_USER, REQUEST_ACTION, signedInSession } from './fixtures.js';
import { SECTION } from './layout.js';
import { failureMessage } from './matrix-support.js';

const WRAPPER = fileURLToPath(new URL('fixtures/with-peak-rss.mjs', import.meta.url));
const MIB = 1024 * 1024;

const emulator = useEmulator({ users: [CI_USER] });
const recorder = noteRecorder(
  inject('resultsDir'),
  SECTION.resources,
  'Resource bounds: response size cap and peak memory',
  7,
);
let reportDir: string;
let defaults: Record<string, string>;
let baselineKib: number | undefined;

beforeAll(async () => {
  reportDir = await mkdtemp(join(tmpdir(), 'rips-reliability-rss-'));
  const metadata = await readActionMetadata(REQUEST_ACTION);
  defaults = Object.fromEntries(
    Object.entries(metadata.inputs).flatMap(([name, input]) =>
      input.default === undefined ? [] : [[name, input.default]],
    ),
  );
});

afterAll(async () => {
  await rm(reportDir, { recursive: true, force: true });
  await recorder.flush();
});

interface MeasuredRun {
  exitCode: number | null;
  message: string | undefined;
  outputs: Readonly<Record<string, string>>;
  peakKib: number | undefined;
}

/**
 * Runs rips-request for GET /applications under GNU time and returns its peak RSS. The wrapper
 * script runs the bundle as a child, so `runAction` collects its output as usual.
 */
async function measureRequest(name: string): Promise<MeasuredRun> {
  const session = await signedInSession(emulator, CI_USER);
  const report = join(reportDir, `${name}.txt`);
  const run = await runAction({
    script: WRAPPER,
    inputs: {
      ...defaults,
      'api-url': emulator.url,
      path: '/applications',
      'access-token': session.tokens?.accessToken ?? '',
    },
    env: {
      RELIABILITY_BUNDLE: join(REQUEST_ACTION, 'dist/index.js'),
      RELIABILITY_RSS_REPORT: report,
    },
    timeoutMs: 60_000,
  });
  return {
    exitCode: run.exitCode,
    message: failureMessage(run),
    outputs: run.outputs,
    peakKib: parseGnuTimeMaxRss(await readFile(report, 'utf8')),
  };
}

function describePeak(kib: number | undefined): string {
  return kib === undefined ? 'unknown (no report)' : formatMib(kib);
}

const TOOL = 'GNU time `-v` around `node dist/index.js` (Node.js ' + process.version + ')';

describe('rips-request memory', () => {
  it('small answer sets the baseline', async () => {
    await emulator.control.clearFaults();
    const run = await measureRequest('baseline');
    baselineKib = run.peakKib;
    recorder.section.items.push(
      `- rips-request, GET /applications with a small answer: peak RSS ${describePeak(run.peakKib)} (${TOOL}).`,
    );

    expect(run.message).toBeUndefined();
    expect(run.outputs['status']).toBe('200');
    expect(run.peakKib).toBeGreaterThan(0);
  });

  it('10 MiB answer goes to a file', async () => {
    await emulator.control.clearFaults();
    await emulator.control.addFault({ path: '/applications', kind: 'large', mib: 10 });
    const run = await measureRequest('ten-mib');
    recorder.section.items.push(
      `- rips-request, 10 MiB answer: peak RSS ${describePeak(run.peakKib)}; the body went to ` +
        `the file in the output-file output and the body output is empty.`,
    );

    expect(run.message).toBeUndefined();
    expect(run.outputs['output-file']).toMatch(/rips-request-.*\.json$/);
    expect(run.outputs['body']).toBe('');
    // The action keeps the body several times over (bytes, text, parsed JSON, the file write),
    // so the bound allows 12 copies above the baseline. An unbounded read would pass it.
    expect(run.peakKib).toBeLessThan((baselineKib ?? 0) + 12 * 10 * 1024);
  });

  it('50 MiB answer goes to a file', async () => {
    await emulator.control.clearFaults();
    await emulator.control.addFault({ path: '/applications', kind: 'large', mib: 50 });
    const run = await measureRequest('fifty-mib');
    recorder.section.items.push(
      `- rips-request, 50 MiB answer (under the 64 MiB cap): peak RSS ${describePeak(run.peakKib)}; ` +
        `the body went to the file in the output-file output.`,
    );

    expect(run.message).toBeUndefined();
    expect(run.outputs['output-file']).toMatch(/rips-request-.*\.json$/);
    expect(run.peakKib).toBeLessThan((baselineKib ?? 0) + 12 * 50 * 1024);
  });

  it('100 MiB answer over the cap is refused', async () => {
    await emulator.control.clearFaults();
    await emulator.control.addFault({ path: '/applications', kind: 'large', mib: 100 });
    const run = await measureRequest('over-cap');
    recorder.section.items.push(
      `- rips-request, 100 MiB answer (cap 64 MiB): refused with "${run.message ?? ''}"; ` +
        `peak RSS ${describePeak(run.peakKib)}.`,
    );

    expect(run.exitCode).toBe(1);
    expect(run.message).toMatch(
      /The response from \/applications is larger than the limit of 67108864 bytes/,
    );
    expect(run.outputs).toEqual({});
    // The declared length is over the cap, so nothing of the body is read.
    expect(run.peakKib).toBeLessThan((baselineKib ?? 0) + 20 * 1024);
  });
});

/** A loopback server that streams chunked JSON without Content-Length until the client hangs up. */
interface EndlessServer {
  url: string;
  /** Bytes written so far, socket buffers included. */
  written(): number;
  requests(): number;
  close(): Promise<void>;
}

async function startEndlessServer(): Promise<EndlessServer> {
  let written = 0;
  let requests = 0;
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const server: Server = createServer((req, res) => {
    requests += 1;
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    const writeMore = (): void => {
      // Bounded as well, in case a client never hangs up.
      while (!res.destroyed && written < 1024 * MIB) {
        written += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', writeMore);
          return;
        }
      }
      res.end();
    };
    writeMore();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    written: () => written,
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends GET /applications with a 1 MiB cap to a server that never ends its body. */
async function requestEndless(retries: number) {
  const endless = await startEndlessServer();
  try {
    const session = new Session({
      apiUrl: endless.url,
      credentials: { type: 'plain', email: CI_USER.email, password: CI_USER.password },
      maxResponseBytes: MIB,
      retries,
    });
    const result = await observeCore(() => session.request({ path: '/applications' }));
    // Give the server a moment to notice the closed connection.
    await new Promise((resolve) => setTimeout(resolve, 100));
    return { result, written: endless.written(), requests: endless.requests() };
  } finally {
    await endless.close();
  }
}

describe('auth-core size cap', () => {
  it('refuses a declared length over the cap', async () => {
    await emulator.control.clearFaults();
    await emulator.control.addFault({ path: '/applications', kind: 'large', mib: 10 });
    const session = await signedInSession(emulator, CI_USER);
    const capped = new Session({
      apiUrl: emulator.url,
      credentials: { type: 'bearer', accessToken: session.tokens?.accessToken ?? '' },
      maxResponseBytes: MIB,
    });
    const result = await observeCore(() => capped.request({ path: '/applications' }));
    recorder.section.items.push(
      `- auth-core Session with maxResponseBytes 1 MiB, 10 MiB answer with Content-Length: ` +
        `${result.code ?? 'no error'} "${result.message ?? ''}" in ${Math.round(result.elapsedMs)} ms.`,
    );

    expect(result.code).toBe('RESPONSE_TOO_LARGE');
    expect(result.message).toBe(
      'The response from /applications is larger than the limit of 1048576 bytes',
    );
  });

  it('stops reading a chunked body at the cap', async () => {
    const { result, written } = await requestEndless(0);
    recorder.section.items.push(
      `- auth-core Session with maxResponseBytes 1 MiB, endless chunked answer without ` +
        `Content-Length, no retries: stopped after the server wrote ${(written / MIB).toFixed(1)} ` +
        `MiB (socket buffers included), with ${result.code ?? 'no error'} "${result.message ?? ''}".`,
    );

    expect(result.ok).toBe(false);
    expect(written).toBeLessThan(32 * MIB);
  });

  // A body over the cap must end as RESPONSE_TOO_LARGE, which is never retried, and not as a
  // reset connection, which would download the oversized body again on each retry.
  it('reports a chunked body over the cap as too large, once', async () => {
    const { result, requests } = await requestEndless(2);
    recorder.section.items.push(
      `- The same with 2 retries: ${result.code ?? 'no error'} after ${requests} requests.`,
    );

    expect(result.code).toBe('RESPONSE_TOO_LARGE');
    expect(requests).toBe(1);
  });
});
