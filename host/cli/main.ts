#!/usr/bin/env node
/**
 * Entry point of `npx bazaar`.
 *
 * isolated-vm needs Node's startup snapshot off (`--no-node-snapshot`, see its
 * README). This process does not need the flag: the runtime runs isolates only
 * in worker processes it forks with it (runtime/worker-process.ts), and nothing
 * the CLI loads in this process creates an isolate. So `npx bazaar` works
 * without a wrapper, and no second Node process is spawned just to add a flag.
 */
import { runCli } from './program.js';

// `bazaar keys create ... | head -1` closes stdout early: that is the reader's
// choice, not a failure worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await runCli(process.argv);
