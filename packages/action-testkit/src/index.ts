export {
  readActionMetadata,
  validateActionYml,
  type ActionBranding,
  type ActionInput,
  type ActionMetadata,
  type ActionOutput,
  type ActionYmlValidation,
} from './action-metadata.js';
export {
  hostileCredential,
  hostileCredentialArbitraries,
  LONG_CREDENTIAL_LENGTH,
  type HostileCredentialTheme,
} from './arbitraries.js';
export { startTestEmulator, useEmulator, type TestEmulatorOptions } from './emulator.js';
export {
  deriveSecretForms,
  expectNoLeaks,
  formatLeakReport,
  scanForLeaks,
  SecretLeakError,
  type LeakFinding,
  type LeakKind,
  type LeakScanInput,
  type Secret,
  type SecretForm,
  type SecretFormKind,
} from './leak-scan.js';
export {
  inputVariableName,
  runAction,
  type ActionRun,
  type ActionTarget,
  type OutputLine,
  type RunActionOptions,
  type WrittenFile,
} from './run-action.js';
export { parsePathFile, parseRunnerFile, RunnerFileFormatError } from './runner-files.js';
export {
  findUsedInputsAndOutputs,
  type DynamicNameCall,
  type UsedInputsAndOutputs,
} from './source-scan.js';
export {
  parseWorkflowCommand,
  parseWorkflowCommands,
  splitLines,
  unescapeCommandMessage,
  unescapeCommandProperty,
  type WorkflowCommand,
} from './workflow-commands.js';
