/**
 * `npm run bench`: prints the figures the README's performance section quotes,
 * each against a baseline measured in the same run. Benchmarks report; they
 * never fail on a figure.
 */
import os from 'node:os';
import { runEngineBench } from './engine-bench.js';
import { runExecuteBench } from './execute-bench.js';
import { runMarketplaceBench } from './marketplace-bench.js';
import { runSandboxBench, runWarmBench } from './sandbox-bench.js';

console.log(`# Bazaar benchmark — ${new Date().toISOString()}`);
console.log(`node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg()[0]?.toFixed(2)}`);
// `run.js execute` (or sandbox, engine, marketplace) runs one part; no argument runs them all.
// `run.js warm` runs only the sandbox part's warm-execution rows.
const only = process.argv[2];
if (only === undefined || only === 'sandbox') await runSandboxBench();
if (only === undefined || only === 'engine') await runEngineBench();
if (only === undefined || only === 'marketplace') await runMarketplaceBench();
if (only === undefined || only === 'execute') await runExecuteBench();
if (only === 'warm') await runWarmBench();
