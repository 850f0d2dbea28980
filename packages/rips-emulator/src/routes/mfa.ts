import { randomBytes } from 'node:crypto';

import { authenticate, authenticateProtected } from '../auth.js';
import { MFA_MAX_WRONG_CODES, MFA_WINDOW_MS } from '../constants.js';
import { ApiError, invalidInput } from '../errors.js';
import { parseJsonBody, type JsonResponse } from '../http.js';
import type { Route, RouteContext } from '../router.js';
import type { EmulatorState } from '../state.js';
import { generateBase32Secret, matchTotpStep } from '../totp.js';
import type { UserRecord } from '../users.js';

/** Reads `{"challenge":{"code":"123456"}}`. Anything but exactly 6 digits is invalid input. */
function readChallengeCode(context: RouteContext): string {
  const body = parseJsonBody(context.body);
  const challenge =
    typeof body === 'object' && body !== null
      ? (body as Record<string, unknown>)['challenge']
      : undefined;
  const code =
    typeof challenge === 'object' && challenge !== null
      ? (challenge as Record<string, unknown>)['code']
      : undefined;
  if (typeof code !== 'string' || !/^\d{6}$/.test(code)) {
    throw invalidInput({ code: 'expected exactly 6 digits' });
  }
  return code;
}

/** Raises 429 while the user has the maximum number of wrong codes inside the sliding window. */
function enforceAttemptLimit(user: UserRecord, nowMs: number): void {
  const recent = user.mfa.wrongCodeTimes.filter((time) => time > nowMs - MFA_WINDOW_MS);
  user.mfa.wrongCodeTimes = recent;
  const oldest = recent[0];
  if (recent.length >= MFA_MAX_WRONG_CODES && oldest !== undefined) {
    const retryAfter = Math.max(1, Math.ceil((oldest + MFA_WINDOW_MS - nowMs) / 1000));
    throw new ApiError(429, 'Too many wrong codes', {
      headers: { 'Retry-After': String(retryAfter) },
    });
  }
}

/**
 * Checks a TOTP code against a secret with the single-use rule of RFC 6238 §5.2: once a code of
 * step N is accepted, codes of step N or earlier are rejected. Wrong and reused codes count
 * toward the attempt limit.
 */
async function checkCode(
  state: EmulatorState,
  user: UserRecord,
  secret: string,
  code: string,
): Promise<void> {
  const nowMs = state.now();
  enforceAttemptLimit(user, nowMs);
  const step = await matchTotpStep(secret, code, nowMs, state.settings.clockSkewSteps);
  if (step === undefined) {
    user.mfa.wrongCodeTimes.push(nowMs);
    throw new ApiError(400, 'Invalid code');
  }
  if (step <= user.mfa.lastUsedStep) {
    user.mfa.wrongCodeTimes.push(nowMs);
    throw new ApiError(400, 'Code already used');
  }
  user.mfa.lastUsedStep = step;
}

function mfaNotInitialized(): ApiError {
  return new ApiError(400, 'MFA not initialized');
}

function mfaBody(user: UserRecord, extra: Record<string, unknown>): Record<string, unknown> {
  return { id: user.id, issuer: 'RIPS', label: `RIPS:${user.email}`, ...extra };
}

/** `POST /mfas/secret`: starts an enrolment with a fresh pending secret. */
async function createSecret(context: RouteContext): Promise<JsonResponse> {
  const { user } = await authenticateProtected(context.state, context.req);
  if (user.mfa.enabled) {
    throw new ApiError(400, 'MFA already enabled');
  }
  const secret = generateBase32Secret();
  user.mfa.pendingSecret = secret;
  return { status: 200, body: mfaBody(user, { secret, enabled: false }) };
}

/**
 * `POST /mfas/token`: primary authentication only. With MFA on, a valid code mints another MFA
 * token. With an enrolment pending, the first valid code of the pending secret turns MFA on.
 */
async function createToken(context: RouteContext): Promise<JsonResponse> {
  const { state } = context;
  const { user } = await authenticate(state, context.req);
  const code = readChallengeCode(context);
  const secret = user.mfa.enabled ? user.mfa.secret : user.mfa.pendingSecret;
  if (secret === undefined) {
    throw mfaNotInitialized();
  }
  await checkCode(state, user, secret, code);
  if (!user.mfa.enabled) {
    user.mfa.enabled = true;
    user.mfa.secret = secret;
    user.mfa.pendingSecret = undefined;
  }
  const token = randomBytes(20).toString('hex');
  user.mfa.tokens.add(token);
  return { status: 200, body: mfaBody(user, { token, enabled: true }) };
}

/** `POST /mfas/delete`: a protected route that also needs a fresh code. Turns MFA off. */
async function deleteMfa(context: RouteContext): Promise<JsonResponse> {
  const { state } = context;
  const { user } = await authenticateProtected(state, context.req);
  const code = readChallengeCode(context);
  const secret = user.mfa.secret;
  if (!user.mfa.enabled || secret === undefined) {
    throw mfaNotInitialized();
  }
  await checkCode(state, user, secret, code);
  user.mfa.enabled = false;
  user.mfa.secret = undefined;
  user.mfa.tokens.clear();
  return { status: 200, body: mfaBody(user, { enabled: false }) };
}

/** Routes of multi-factor authentication. */
export const mfaRoutes: Route[] = [
  { method: 'POST', pattern: '/mfas/secret', handler: createSecret },
  { method: 'POST', pattern: '/mfas/token', handler: createToken },
  { method: 'POST', pattern: '/mfas/delete', handler: deleteMfa },
];
