/**
 * Rough latency numbers for the sandbox runtime (not a test; run by hand):
 *   npx tsc -p tsconfig.json && node --no-node-snapshot dist/test/support/runtime-bench.js
 * - raw: one `Reference.apply` into a warm isolate (the floor);
 * - in-worker warm/cold: PluginInstance.execute inside this process (no IPC);
 * - end-to-end warm/cold: SandboxRuntime.execute through a worker process.
 */
import ivm from 'isolated-vm';
import { createFreshSandbox } from '../../runtime/isolate-pool.js';
import { PluginInstance } from '../../runtime/plugin-instance.js';
import { SandboxPool } from '../../runtime/sandbox-pool.js';
import type { ExecMessage } from '../../runtime/worker-protocol.js';
import { loadFixture, request, withMain } from './plugin-fixtures.js';

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function time(runs: number, fn: (i: number) => Promise<unknown>, pause?: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    await pause?.();
    const start = performance.now();
    await fn(i);
    samples.push((performance.now() - start) * 1000);
  }
  return median(samples);
}

const single = withMain(loadFixture('oom'), 'index.js');
const exec = (install: string, i: number): ExecMessage => ({
  t: 'exec', id: `e${i}`, install, sha: single.sha256, action: 'small', input: 'null', config: '{}',
  limits: [200, 400, 16, 65536, 20, 2048], bridge: 0,
});

const raw = await createFreshSandbox(16, () => undefined);
const echo = (await raw.context.evalClosure('return function echo(x) { return x; }', [], { result: { reference: true } })) as ivm.Reference;
const rawUs = await time(5000, () => echo.apply(undefined, ['x'], { arguments: { copy: true }, result: { copy: true }, timeout: 400 }));

const warm = new PluginInstance('bench', single, await createFreshSandbox(16, () => undefined), () => undefined);
await warm.execute(exec('bench', 0));
const warmUs = await time(5000, (i) => warm.execute(exec('bench', i)));

const fresh = await Promise.all(Array.from({ length: 30 }, () => createFreshSandbox(16, () => undefined)));
const coldUs = await time(30, async (i) => new PluginInstance(`cold${i}`, single, fresh[i] as never, () => undefined).execute(exec(`cold${i}`, i)));

const pool = new SandboxPool({ workers: 1, spareIsolates: 4, defaultMemoryMb: 16 });
await pool.execute(request('oom', 'small', { installId: 'e2e', code: single }));
const e2eWarmUs = await time(3000, () => pool.execute(request('oom', 'small', { installId: 'e2e', code: single })));
const e2eColdUs = await time(
  20,
  (i) => pool.execute(request('oom', 'small', { installId: `e2e-cold-${i}`, code: single })),
  () => new Promise((resolve) => setTimeout(resolve, 30)), // lets the worker refill its spares
);
await pool.close();

console.log(JSON.stringify({ rawApplyUs: rawUs, inWorkerWarmUs: warmUs, inWorkerColdUs: coldUs, endToEndWarmUs: e2eWarmUs, endToEndColdUs: e2eColdUs }, (k, v: unknown) => (typeof v === 'number' ? Math.round(v) : v)));
process.exit(0);
