import {
  DEMO_EMAIL,
  DEMO_PASSWORD,
  DEMO_TOTP_SECRET,
  type UserSeed,
} from '@rips-actions/rips-emulator';

/** A user with MFA on: the emulator's demo user. */
export const MFA_USER = {
  email: DEMO_EMAIL,
  password: DEMO_PASSWORD,
  totpSecret: DEMO_TOTP_SECRET,
};

/** A user without MFA, for sign-ins of two round trips and for load without `X-API-MFA`. */
export const PLAIN_USER = { email: 'bench@example.com', password: 'bench-password' };

/** Users of every emulator the bench starts. */
export const BENCH_USERS: UserSeed[] = [
  { email: MFA_USER.email, password: MFA_USER.password, totpSecret: MFA_USER.totpSecret },
  { email: PLAIN_USER.email, password: PLAIN_USER.password },
];
