import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readActionMetadata, validateActionYml } from '../src/action-metadata.js';

const actionsDir = fileURLToPath(new URL('../../../actions', import.meta.url));

// NOTE: action-validator 0.6.0, the latest release on npm, does not list node24 in its
// runs.using enum, so it rejects every node24 action with exactly this error. Runners accept
// node24 since v2.327. The test pins the error so that any other problem still fails it. When a
// release accepts node24, the expected errors become [] and this constant can go.
const NODE24_REJECTED = {
  code: 'one_of',
  path: '/runs',
  title: 'OneOf conditions are not met',
  states: [
    { errors: [{ code: 'enum', path: '/runs/using', title: 'Enum conditions are not met' }] },
    {
      errors: [
        {
          code: 'properties',
          detail: "Additional property 'main' is not allowed",
          path: '/runs',
          title: 'Property conditions are not met',
        },
        { code: 'const', path: '/runs/using', title: 'Const condition is not met' },
        { code: 'required', path: '/runs/steps', title: 'This property is required' },
      ],
    },
    {
      errors: [
        {
          code: 'properties',
          detail: "Additional property 'main' is not allowed",
          path: '/runs',
          title: 'Property conditions are not met',
        },
        { code: 'const', path: '/runs/using', title: 'Const condition is not met' },
        { code: 'required', path: '/runs/image', title: 'This property is required' },
      ],
    },
  ],
};

type InputSpec = [name: string, required: boolean, fallback: string | undefined];

const LOGIN_INPUTS: InputSpec[] = [
  ['api-url', true, undefined],
  ['email', false, undefined],
  ['password', false, undefined],
  ['client-id', false, undefined],
  ['client-name', false, 'ci'],
  ['grant', false, 'auto'],
  ['refresh-token', false, undefined],
  ['totp-secret', false, undefined],
  ['mfa-token', false, undefined],
  ['export-env', false, 'false'],
  ['timeout-seconds', false, '30'],
  ['retries', false, '3'],
  ['allow-insecure-http', false, 'false'],
];

const LOGIN_OUTPUTS = [
  'access-token',
  'refresh-token',
  'mfa-token',
  'client-id',
  'token-type',
  'expires-in',
  'expires-at',
  'auth-method',
  'user-id',
  'user-email',
];

const REQUEST_INPUTS: InputSpec[] = [
  ['api-url', false, undefined],
  ['method', false, 'GET'],
  ['path', true, undefined],
  ['query', false, undefined],
  ['body', false, undefined],
  ['body-file', false, undefined],
  ['headers', false, undefined],
  ['access-token', false, undefined],
  ['refresh-token', false, undefined],
  ['client-id', false, undefined],
  ['client-name', false, undefined],
  ['mfa-token', false, undefined],
  ['email', false, undefined],
  ['password', false, undefined],
  ['totp-secret', false, undefined],
  ['expected-status', false, undefined],
  ['fail-on-error', false, 'true'],
  ['paginate', false, 'false'],
  ['max-pages', false, '100'],
  ['output-file', false, undefined],
  ['mask-json-fields', false, undefined],
  ['timeout-seconds', false, '30'],
  ['retries', false, '3'],
  ['retry-unsafe-methods', false, 'false'],
  ['allow-insecure-http', false, 'false'],
];

const REQUEST_OUTPUTS = [
  'status',
  'body',
  'headers',
  'output-file',
  'pages',
  'refreshed',
  'access-token',
  'refresh-token',
];

describe.each([
  ['rips-login', LOGIN_INPUTS, LOGIN_OUTPUTS],
  ['rips-request', REQUEST_INPUTS, REQUEST_OUTPUTS],
])('%s action.yml', (name, inputs, outputs) => {
  const directory = join(actionsDir, name);

  it('passes action-validator except for node24', async () => {
    const result = await validateActionYml(join(directory, 'action.yml'));

    expect(result.errors).toEqual([NODE24_REJECTED]);
  });

  it('declares the node24 bundle and branding', async () => {
    const metadata = await readActionMetadata(directory);

    expect(metadata.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(metadata.author).toBe('rips-actions');
    expect(metadata.branding?.icon).toBeTruthy();
    expect(metadata.branding?.color).toBeTruthy();
  });

  it('declares exactly the specified inputs', async () => {
    const metadata = await readActionMetadata(directory);
    const declared = Object.entries(metadata.inputs).map(([input, spec]): InputSpec => [
      input,
      spec.required ?? false,
      spec.default,
    ]);

    expect(declared).toEqual(inputs);
  });

  it('declares exactly the specified outputs', async () => {
    const metadata = await readActionMetadata(directory);

    expect(Object.keys(metadata.outputs)).toEqual(outputs);
  });

  it('marks credential outputs as masked', async () => {
    const metadata = await readActionMetadata(directory);
    for (const output of ['access-token', 'refresh-token', 'mfa-token']) {
      const description = metadata.outputs[output]?.description;
      if (description !== undefined) {
        expect(description, output).toMatch(/\bmasked\b/);
      }
    }
  });
});
