/** Runs the built CLI as a child process, as a user would: `node dist/host/cli/main.js ...`. */
import { execFile } from 'node:child_process';
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

export function runCliProcess(args: readonly string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliRun> {
  // No BAZAAR_* from the developer's shell: each test says what it sets.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('BAZAAR_')));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--no-node-snapshot', CLI_MAIN, ...args],
      { cwd: options.cwd ?? REPO_ROOT, env: { ...env, ...options.env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The one JSON document `--json` promises on stdout. */
export function parseJsonOutput(run: CliRun): Record<string, unknown> {
  try {
    return JSON.parse(run.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}

export function errorCodeOf(run: CliRun): unknown {
  return (parseJsonOutput(run)['error'] as { code?: unknown } | undefined)?.code;
}
