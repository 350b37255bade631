/**
 * The execution engine under concurrency, for `npm run bench`: executions of
 * one install side by side (20 awaiting a 200 ms host call), deadlines that
 * hold (the spread of 10 never-settling executions), and a neighbour's
 * latency while another tenant spins loops at its cap, each against its
 * baseline from the same run.
 */
import { createSandboxRuntime, type ExecutionLimits, type ExecutionRequest, type FetchPort, type FetchResponse, type PluginCode, type SandboxRuntime } from '../../runtime/index.js';
import { readPackageDirectory } from '../../marketplace/package-archive.js';
import { exampleDir, loadBenchPlugin } from './bench-plugins.js';
import { formatUs, printReport, timeSerial, type ReportRow } from './measure.js';

const LIMITS: ExecutionLimits = { cpuMs: 200, timeoutMs: 5000, memoryMb: 32, maxOutputBytes: 64 * 1024, maxLogLines: 20, maxLogBytes: 4096 };
const SLUGIFY = loadBenchPlugin('slugify', 'slugify', { title: 'Crème Brûlée — 10 Tips for the Perfect Crust!' }, { separator: '-', maxLength: 80 });

/** Plugins written for this bench: one awaits a host call, one never settles, one spins. */
const ENGINE_PLUGIN: PluginCode = {
  sha256: 'bench-engine-plugin',
  main: 'index.js',
  files: {
    'index.js': [
      'export async function slowCall(input, ctx) { const r = await ctx.fetch("https://api.example.test/slow"); return { status: r.status }; }',
      'export function never() { return new Promise(() => {}); }',
      'export function spin() { for (;;) {} }',
    ].join('\n'),
  },
};

function engineRequest(installId: string, action: string, extra: Partial<ExecutionRequest> = {}): ExecutionRequest {
  return { installId, executionId: `${installId}-${Math.random()}`, code: ENGINE_PLUGIN, action, input: null, config: {}, limits: LIMITS, ...extra };
}

async function sideBySide(runtime: SandboxRuntime): Promise<ReportRow> {
  const slowFetch: FetchPort = { fetch: () => new Promise<FetchResponse>((resolve) => setTimeout(() => resolve({ status: 200, headers: {}, body: '' }), 200)) };
  const run = () => runtime.execute(engineRequest('one-install', 'slowCall', { bridge: { fetch: slowFetch } }));
  await Promise.all(Array.from({ length: 20 }, run)); // warm: the install's pool holds 20 instances
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: 20 }, run));
  const wallMs = performance.now() - started;
  const ok = results.filter((r) => r.status === 'succeeded').length;
  if (ok < 20) console.log('slowCall failed:', results.find((r) => r.status !== 'succeeded')?.error);
  return {
    name: '20 concurrent executions of one install, each awaiting a 200 ms host call: wall time for all',
    figure: `${wallMs.toFixed(0)} ms (${ok}/20 succeeded)`,
    baseline: '200 ms (one call)',
    ratio: `${(wallMs / 200).toFixed(2)}x`,
    goal: '≈ 1x (side by side), not 20x',
    met: wallMs < 400 && ok === 20,
  };
}

async function deadlineSpread(runtime: SandboxRuntime): Promise<ReportRow> {
  const timeoutMs = 2000;
  const started = performance.now();
  const ends = await Promise.all(
    Array.from({ length: 10 }, () =>
      runtime.execute(engineRequest('never-install', 'never', { limits: { ...LIMITS, timeoutMs } })).then((r) => ({ at: performance.now() - started, code: r.error?.code })),
    ),
  );
  const at = ends.map((e) => e.at).sort((a, b) => a - b);
  const timedOut = ends.filter((e) => e.code === 'execution_timeout').length;
  const last = at.at(-1) ?? 0;
  return {
    name: '10 concurrent never-settling executions of one install (timeoutMs 2000): when they end',
    figure: `first ${at[0]?.toFixed(0)} ms, last ${last.toFixed(0)} ms (${timedOut}/10 execution_timeout)`,
    baseline: `${timeoutMs} ms`,
    ratio: `last ${(last / timeoutMs).toFixed(2)}x`,
    goal: 'all by the deadline + grace (1 s)',
    met: last <= timeoutMs + 1000 && timedOut === 10,
  };
}

async function neighbourUnderSpin(runtime: SandboxRuntime): Promise<ReportRow[]> {
  const pkg = await readPackageDirectory(exampleDir(SLUGIFY.name));
  const slugify: PluginCode = { sha256: pkg.sha256, main: pkg.manifest.main, files: pkg.files };
  const neighbour = () =>
    runtime.execute({
      installId: 'neighbour',
      executionId: `n-${Math.random()}`,
      code: slugify,
      action: SLUGIFY.action,
      input: SLUGIFY.input as never,
      config: SLUGIFY.config as never,
      limits: LIMITS,
      tenant: { id: 'neighbour', weight: 4 },
    });
  const quiet = await timeSerial(neighbour, { warmup: 200, iterations: 3000, maxMs: 3000 });
  // A pro tenant at its cap (10) of loops that run into their 200 ms CPU limit, again and again.
  let spinning = true;
  const spinner = async (lane: number): Promise<number> => {
    let runs = 0;
    while (spinning) {
      await runtime.execute(engineRequest(`spinner-${lane % 2}`, 'spin', { tenant: { id: 'spinner', weight: 4 } }));
      runs++;
    }
    return runs;
  };
  const spinners = Array.from({ length: 10 }, (_, lane) => spinner(lane));
  await new Promise((resolve) => setTimeout(resolve, 500)); // the spinners' lane is known by now
  const busy = await timeSerial(neighbour, { warmup: 50, iterations: 3000, maxMs: 3000 });
  spinning = false;
  const runs = (await Promise.all(spinners)).reduce((a, b) => a + b, 0);
  const ratio = busy.p99Us / quiet.p99Us;
  return [
    { name: 'neighbour p99, quiet (slugify, one execution at a time)', figure: `${formatUs(quiet.p99Us)} (p50 ${formatUs(quiet.p50Us)})` },
    {
      name: 'neighbour p99 while another tenant spins 10 loops at a time (200 ms CPU each)',
      figure: `${formatUs(busy.p99Us)} (p50 ${formatUs(busy.p50Us)}; ${runs} loops stopped meanwhile)`,
      baseline: formatUs(quiet.p99Us),
      ratio: `${ratio.toFixed(2)}x`,
      goal: '≤ 2x quiet',
      met: ratio <= 2,
    },
  ];
}

export async function runEngineBench(): Promise<void> {
  const runtime = createSandboxRuntime({ spareIsolates: 4 });
  try {
    const rows = [await sideBySide(runtime), await deadlineSpread(runtime), ...(await neighbourUnderSpin(runtime))];
    printReport('Execution engine under concurrency (runtime API, default workers + heavy lane)', rows);
  } finally {
    await runtime.close();
  }
}
