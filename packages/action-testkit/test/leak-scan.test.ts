import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostileCredential } from '../src/arbitraries.js';
import {
  deriveSecretForms,
  expectNoLeaks,
  scanForLeaks,
  SecretLeakError,
  type LeakScanInput,
} from '../src/leak-scan.js';

const SECRET = 'pa ss/wörd+"1"';
const escapeMessage = (value: string): string =>
  value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

function makeRun(parts: Partial<LeakScanInput>): LeakScanInput {
  return { stdout: '', stderr: '', summary: '', writtenFiles: [], ...parts };
}

function maskLinesFor(value: string): string {
  return deriveSecretForms(value)
    .map((form) => `::add-mask::${escapeMessage(form.value)}\n`)
    .join('');
}

describe('deriveSecretForms', () => {
  it('derives every encoding', () => {
    expect(deriveSecretForms(SECRET)).toEqual([
      { kind: 'raw', description: 'raw', value: SECRET },
      { kind: 'base64', description: 'base64', value: 'cGEgc3Mvd8O2cmQrIjEi' },
      {
        kind: 'uri-component',
        description: 'uri-component',
        value: 'pa%20ss%2Fw%C3%B6rd%2B%221%22',
      },
      {
        kind: 'form-urlencoded',
        description: 'form-urlencoded',
        value: 'pa+ss%2Fw%C3%B6rd%2B%221%22',
      },
      { kind: 'json-escaped', description: 'json-escaped', value: 'pa ss/wörd+\\"1\\"' },
      { kind: 'bearer', description: 'bearer', value: `Bearer ${SECRET}` },
    ]);
  });

  it('drops base64url padding and swaps its characters', () => {
    const forms = deriveSecretForms('??>>secret');
    expect(forms.find((form) => form.kind === 'base64')?.value).toBe('Pz8+PnNlY3JldA==');
    expect(forms.find((form) => form.kind === 'base64url')?.value).toBe('Pz8-PnNlY3JldA');
  });

  it('splits a multi-line value into lines', () => {
    const forms = deriveSecretForms('first-line\r\nsecond-line\nx');
    expect(forms.filter((form) => form.kind === 'line').map((form) => form.value)).toEqual([
      'first-line',
      'second-line',
    ]);
  });

  it('drops short derived forms but keeps a short raw value', () => {
    expect(deriveSecretForms('ab').map((form) => form.kind)).toEqual(['raw', 'bearer']);
  });

  it('rejects an empty value', () => {
    expect(() => deriveSecretForms('')).toThrowError(
      new TypeError('deriveSecretForms: the secret value is empty; pass a non-empty value.'),
    );
  });
});

describe('scanForLeaks', () => {
  it.each(deriveSecretForms(SECRET).map((form) => [form.description, form.value]))(
    'finds the %s form in stdout',
    (description, value) => {
      const run = makeRun({ stdout: `starting\nheader: ${value}\n` });

      expect(scanForLeaks(run, [{ label: 'password', value: SECRET }])).toContainEqual({
        secret: 'password',
        form: description,
        where: 'stdout',
        line: 2,
        kind: 'never-masked',
      });
    },
  );

  it('finds each line of a multi-line secret', () => {
    const secret = '-----BEGIN KEY-----\nMIIBVwIBADANBg\n-----END KEY-----';
    const run = makeRun({ stderr: 'oops MIIBVwIBADANBg\n' });

    expect(scanForLeaks(run, [secret])).toEqual([
      { secret: 'secret 1', form: 'line 2', where: 'stderr', line: 1, kind: 'never-masked' },
    ]);
  });

  it('finds a multi-line secret printed whole', () => {
    const secret = 'first-line\nsecond-line';
    const run = makeRun({ stdout: `a\nfirst-line\nsecond-line\n` });
    const forms = scanForLeaks(run, [secret]).map((finding) => [finding.form, finding.line]);

    expect(forms).toEqual([
      ['raw', 2],
      ['line 1', 2],
      ['line 2', 3],
    ]);
  });

  it('finds secrets with CRLF and lone CR', () => {
    const run = makeRun({ stdout: 'old-mac\rsecret\nwin-dos\r\nsecret\n' });
    const found = scanForLeaks(run, ['old-mac\rsecret', 'win-dos\r\nsecret'])
      .filter((finding) => finding.form === 'raw')
      .map((finding) => [finding.secret, finding.line]);

    expect(found).toEqual([
      ['secret 1', 1],
      ['secret 2', 2],
    ]);
  });

  it('accepts a correct mask line before any use', () => {
    const run = makeRun({ stdout: `::add-mask::${SECRET}\nsigned in\n` });

    expect(scanForLeaks(run, [SECRET])).toEqual([]);
  });

  it('accepts escaped masks of every form', () => {
    const secret = 'line-one%0A\nline-two::x';
    const run = makeRun({ stdout: `${maskLinesFor(secret)}done\n` });

    expect(scanForLeaks(run, [secret])).toEqual([]);
  });

  it('reports a use before the mask line', () => {
    const run = makeRun({ stdout: `token is ${SECRET}\n::add-mask::${SECRET}\n` });

    expect(scanForLeaks(run, [{ label: 'token', value: SECRET }])).toEqual([
      { secret: 'token', form: 'raw', where: 'stdout', line: 1, kind: 'before-mask' },
    ]);
  });

  it('reports a use after the mask line', () => {
    const run = makeRun({ stdout: `::add-mask::${SECRET}\ntoken is ${SECRET}\n` });

    expect(scanForLeaks(run, [{ label: 'token', value: SECRET }])).toEqual([
      { secret: 'token', form: 'raw', where: 'stdout', line: 2, kind: 'after-mask' },
    ]);
  });

  it('orders stderr against stdout by the log', () => {
    const run = makeRun({
      stdout: `::add-mask::${SECRET}\n`,
      stderr: `error: ${SECRET}\n`,
      log: [
        { stream: 'stderr', line: 1, text: `error: ${SECRET}` },
        { stream: 'stdout', line: 1, text: `::add-mask::${SECRET}` },
      ],
    });

    expect(scanForLeaks(run, [SECRET])).toEqual([
      { secret: 'secret 1', form: 'raw', where: 'stderr', line: 1, kind: 'before-mask' },
    ]);
  });

  it('requires a mask line for the form itself', () => {
    const base64 = Buffer.from(SECRET).toString('base64');
    const run = makeRun({ stdout: `::add-mask::${SECRET}\nbasic ${base64}\n` });

    expect(scanForLeaks(run, [SECRET])).toEqual([
      { secret: 'secret 1', form: 'base64', where: 'stdout', line: 2, kind: 'never-masked' },
    ]);
  });

  it('accepts a containing mask line', () => {
    const run = makeRun({ stdout: `::add-mask::Bearer ${SECRET}\n::add-mask::${SECRET}\n` });

    expect(scanForLeaks(run, [SECRET])).toEqual([]);
  });

  it('reports any form in the summary and written files', () => {
    const run = makeRun({
      stdout: maskLinesFor(SECRET),
      summary: '# Summary\n\ntoken: ' + encodeURIComponent(SECRET) + '\n',
      writtenFiles: [{ path: '/tmp/x/body.json', content: `{\n"a": "${SECRET}"}` }],
    });

    expect(scanForLeaks(run, [{ label: 'token', value: SECRET }])).toEqual([
      { secret: 'token', form: 'raw', where: '/tmp/x/body.json', line: 2, kind: 'in-artifact' },
      { secret: 'token', form: 'uri-component', where: 'summary', line: 3, kind: 'in-artifact' },
    ]);
  });

  it('labels bare secrets by position', () => {
    const run = makeRun({ stdout: 'second-secret\n' });

    expect(scanForLeaks(run, ['first-secret', 'second-secret'])[0]?.secret).toBe('secret 2');
  });

  it('accepts masked hostile credentials', () => {
    fc.assert(
      fc.property(hostileCredential(), (secret) => {
        const run = makeRun({ stdout: `${maskLinesFor(secret)}signed in\n` });
        expect(scanForLeaks(run, [secret])).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('finds printed hostile credentials', () => {
    fc.assert(
      fc.property(hostileCredential(), (secret) => {
        const run = makeRun({ stdout: `${maskLinesFor(secret)}value: ${secret}\n` });
        const kinds = new Set(scanForLeaks(run, [secret]).map((finding) => finding.kind));
        expect([...kinds]).toEqual(['after-mask']);
      }),
      { numRuns: 200 },
    );
  });
});

describe('expectNoLeaks', () => {
  it('passes a clean run', () => {
    expect(() => expectNoLeaks(makeRun({ stdout: 'ok\n' }), [SECRET])).not.toThrow();
  });

  it('reports labels, forms and places without the value', () => {
    const run = makeRun({
      stdout: `Authorization: Bearer ${SECRET}\n`,
      summary: Buffer.from(SECRET).toString('base64url'),
    });
    let caught: unknown;
    try {
      expectNoLeaks(run, [{ label: 'access-token', value: SECRET }]);
    } catch (error: unknown) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(SecretLeakError);
    const message = (caught as SecretLeakError).message;
    expect(message).not.toContain(SECRET);
    expect(message).toMatchInlineSnapshot(`
      "3 secret leaks found:
      - access-token (raw) in stdout line 1: no ::add-mask:: line registers this form
      - access-token (base64) in summary line 1: no form of a secret may appear here
      - access-token (bearer) in stdout line 1: no ::add-mask:: line registers this form"
    `);
    expect((caught as SecretLeakError).findings).toHaveLength(3);
  });
});
