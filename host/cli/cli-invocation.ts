/**
 * How to run this very CLI from any folder. `npx bazaar` only works inside
 * this checkout: elsewhere npx would fetch an unrelated npm package of the
 * same name. So the commands the CLI prints name either a `bazaar` on PATH
 * that is this CLI (npm link), or `node <absolute path of main.js>`.
 */
import { accessSync, constants, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** This CLI's entry point (dist/host/cli/main.js). */
export const CLI_MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

/** `text` as one POSIX shell word. */
export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function realpathOrUndefined(file: string): string | undefined {
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}

/**
 * `bazaar` when the first `bazaar` on PATH is an executable that resolves to
 * this main.js; else `node <main.js>`. Another program named bazaar on PATH
 * is never suggested.
 */
export function cliInvocation(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const self = realpathOrUndefined(CLI_MAIN) ?? CLI_MAIN;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, 'bazaar');
    const resolved = realpathOrUndefined(candidate);
    if (resolved === undefined) continue;
    try {
      accessSync(candidate, constants.X_OK);
    } catch {
      continue; // the shell skips what it cannot execute, so do we
    }
    return resolved === self ? 'bazaar' : `node ${shellQuote(CLI_MAIN)}`;
  }
  return `node ${shellQuote(CLI_MAIN)}`;
}

/** For --help: how to get `bazaar` on PATH, with this checkout's real path. */
export function installHelp(): string {
  const checkout = path.resolve(path.dirname(CLI_MAIN), '../../..');
  return `
Running bazaar outside this checkout (\`npx bazaar\` works only inside it):
  cd ${shellQuote(checkout)} && npm link        # puts \`bazaar\` on PATH (npm unlink -g bazaar undoes it)
  alias bazaar="node ${CLI_MAIN.replace(/(["\\$`])/g, '\\$1')}"   # or this, in your shell's rc file`;
}
