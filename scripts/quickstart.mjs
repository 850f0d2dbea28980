// Runs a root task (test, demo, bench) on a machine that may have only Node.js and npm:
// it installs pnpm's dependencies when needed, builds, then runs the task.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pnpmVersion = JSON.parse(
  readFileSync(join(root, 'package.json'), 'utf8'),
).packageManager.split('@')[1];

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) {
    throw result.error;
  }
  return result.status ?? 1;
}

function mustRun(command, args) {
  const status = run(command, args);
  if (status !== 0) {
    console.error(`quickstart: '${command} ${args.join(' ')}' failed with exit code ${status}`);
    process.exit(status);
  }
}

/** Returns the command that runs the pinned pnpm: a global one if it matches, else npx. */
function pnpmCommand() {
  const probe = spawnSync('pnpm', ['--version'], { cwd: root, encoding: 'utf8' });
  if (probe.status === 0 && probe.stdout.trim() === pnpmVersion) {
    return ['pnpm'];
  }
  return ['npx', '--yes', `pnpm@${pnpmVersion}`];
}

function needsInstall() {
  const marker = join(root, 'node_modules', '.modules.yaml');
  if (!existsSync(marker)) {
    return true;
  }
  return statSync(join(root, 'pnpm-lock.yaml')).mtimeMs > statSync(marker).mtimeMs;
}

const task = process.argv[2];
const tasks = {
  test: ['exec', 'node', 'scripts/test.mjs'],
  demo: ['--filter', '@rips-actions/demo', 'run', 'demo'],
  bench: ['--filter', '@rips-actions/bench', 'run', 'bench'],
};
if (!(task in tasks)) {
  console.error(
    `quickstart: unknown task '${task}'; expected one of ${Object.keys(tasks).join(', ')}`,
  );
  process.exit(2);
}

const [pnpm, ...prefix] = pnpmCommand();
if (needsInstall()) {
  mustRun(pnpm, [...prefix, 'install', '--frozen-lockfile']);
}
mustRun(pnpm, [...prefix, 'run', 'build', '--output-logs=errors-only']);
process.exit(run(pnpm, [...prefix, ...tasks[task], ...process.argv.slice(3)]));
