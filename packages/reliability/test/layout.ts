import type { ReportLayout } from '../src/index.js';

/** Sections of `docs/reliability.md`; each id is written by one test file. */
export const SECTION = {
  authCore: 'matrix-auth-core',
  ripsLogin: 'matrix-rips-login',
  ripsRequest: 'matrix-rips-request',
  resources: 'resources',
  load: 'load',
  parallel: 'parallel-totp',
  leaks: 'leak-properties',
  clockSkew: 'clock-skew',
} as const;

export const LAYOUT: ReportLayout = {
  matrix: [SECTION.authCore, SECTION.ripsLogin, SECTION.ripsRequest],
  notes: [SECTION.resources, SECTION.load, SECTION.clockSkew, SECTION.parallel, SECTION.leaks],
};
