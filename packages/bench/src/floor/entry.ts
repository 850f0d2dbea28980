// The stack's floor: a bundle that only loads what every action of this repository loads.
// `pnpm build` bundles it with ncc, minified as the actions are, into dist/floor-bundle. Its
// cold start is the least an action built on this stack can cost before it does any work.
import * as core from '@actions/core';
import { HttpClient } from '@actions/http-client';
import { decodeJwt } from 'jose';
import { generate } from 'otplib';

// Touching each import keeps the bundler from dropping a module as unused.
const loaded = [core.getInput, HttpClient, decodeJwt, generate];
if (loaded.some((value) => typeof value !== 'function')) {
  process.exitCode = 1;
}
