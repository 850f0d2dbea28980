import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import {
  createControlClient,
  type ControlClient,
  type EmulatorOptions,
} from '@rips-actions/rips-emulator';

/** An emulator running in a child process. */
export interface EmulatorProcess {
  url: string;
  control: ControlClient;
  pid: number;
  stop(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./emulator-child.js', import.meta.url));
const START_TIMEOUT_MS = 15_000;

/** Starts the emulator in a child `node` process on 127.0.0.1 and a free port. */
export async function startEmulatorProcess(options: EmulatorOptions): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [CHILD, JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
  try {
    const [first] = (await Promise.race([
      once(lines, 'line'),
      once(child, 'exit').then(([code]) => {
        throw new Error(`emulator: the child process exited with code ${String(code)}`);
      }),
    ])) as [string];
    const { url } = JSON.parse(first) as { url: string };
    return {
      url,
      control: createControlClient(url),
      pid: child.pid ?? 0,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = once(child, 'exit');
          child.kill('SIGTERM');
          await exited;
        }
        lines.close();
      },
    };
  } catch (error: unknown) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
