// Runs the RIPS emulator in its own process, so that the load it serves does not share an
// event loop with the client being measured. The parent passes the options as JSON in argv[2]
// and reads one line `{"url": …}` from stdout.
import { startEmulator, type EmulatorOptions } from '@rips-actions/rips-emulator';

const options = JSON.parse(process.argv[2] ?? '{}') as EmulatorOptions;
const emulator = await startEmulator({ ...options, host: '127.0.0.1', port: 0 });
process.stdout.write(`${JSON.stringify({ url: emulator.url })}\n`);

let stopping = false;
const stop = (): void => {
  if (stopping) {
    return;
  }
  stopping = true;
  emulator.close().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The parent keeps stdin open, so an ended stdin means the parent is gone.
process.stdin.on('end', stop);
process.stdin.resume();
