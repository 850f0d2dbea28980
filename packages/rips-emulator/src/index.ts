export { DEMO_EMAIL, DEMO_PASSWORD, DEMO_TOTP_SECRET } from './constants.js';
export { startEmulator } from './server.js';
export type { Emulator } from './server.js';
export { ControlRequestError, createControlClient } from './control-client.js';
export type { ControlClient } from './control-client.js';
export type {
  EmulatorOptions,
  Fault,
  FaultKind,
  FaultMatch,
  RequestLogEntry,
  UserSeed,
} from './types.js';
