/** Runs the built CLI as a child process, as a user would: `node dist/host/cli/main.js ...`. */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
export const CLI_MAIN = path.join(REPO_ROOT, 'dist/host/cli/main.js');
export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');
export const PACKAGE_FIXTURES_DIR = path.join(REPO_ROOT, 'test/fixtures/packages');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** An empty config home, so no test reads the developer's `bazaar login` file (tests that want one pass their own). */
const EMPTY_CONFIG_HOME = mkdtempSync(path.join(tmpdir(), 'bazaar-cli-config-'));

/** `env` values of `undefined` remove that variable (e.g. the suite's DATABASE_URL). */
export function runCliProcess(args: readonly string[], options: { env?: Record<string, string | undefined>; cwd?: string } = {}): Promise<CliRun> {
  // No BAZAAR_* from the developer's shell: each test says what it sets.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('BAZAAR_')));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--no-node-snapshot', CLI_MAIN, ...args],
      { cwd: options.cwd ?? REPO_ROOT, env: childEnv({ ...env, XDG_CONFIG_HOME: EMPTY_CONFIG_HOME, ...options.env }), timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function childEnv(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** The one JSON document `--json` promises on stdout. */
export function parseJsonOutput(run: CliRun): Record<string, unknown> {
  try {
    return JSON.parse(run.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

/** The stdout of a run that must have exited 0 (else fail with everything it printed). */
export function succeeded(run: CliRun): string {
  if (run.code !== 0) throw new Error(`exit ${run.code}\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

/** The JSON document of a `--json` run that must have exited 0. */
export function succeededJson(run: CliRun): Record<string, unknown> {
  succeeded(run);
  return parseJsonOutput(run);
}

export function errorCodeOf(run: CliRun): unknown {
  return (parseJsonOutput(run)['error'] as { code?: unknown } | undefined)?.code;
}
