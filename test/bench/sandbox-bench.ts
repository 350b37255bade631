/**
 * Sandbox figures for `npm run bench`: Bazaar's runtime against raw isolated-vm
 * in one process and against the QuickJS (WebAssembly) peer, on the same plugins.
 */
import { readPackageDirectory } from '../../marketplace/package-archive.js';
import { createSandboxRuntime, type ExecutionLimits, type PluginCode, type SandboxRuntime } from '../../runtime/index.js';
import { exampleDir, loadBenchPlugin, type BenchPlugin } from './bench-plugins.js';
import { formatBytes, formatUs, printReport, rssBytes, timeSerial, type ReportRow } from './measure.js';
import { loadQuickJS, QuickJSInstance } from './quickjs-peer.js';
import { rawColdRun, RawWarmInstance } from './raw-isolated-vm.js';

const LIMITS: ExecutionLimits = {
  cpuMs: 5000,
  timeoutMs: 10000,
  memoryMb: 32,
  maxOutputBytes: 1024 * 1024,
  maxLogLines: 100,
  maxLogBytes: 16 * 1024,
};

const SLUGIFY = loadBenchPlugin('slugify', 'slugify', { title: 'Crème Brûlée — 10 Tips for the Perfect Crust!' }, { separator: '-', maxLength: 80 });
const SHA256 = loadBenchPlugin('sha256', 'digest', { text: 'x'.repeat(1024), iterations: 300 });

async function pluginCode(plugin: BenchPlugin): Promise<PluginCode> {
  const pkg = await readPackageDirectory(exampleDir(plugin.name));
  return { sha256: pkg.sha256, main: pkg.manifest.main, files: pkg.files };
}

function executor(runtime: SandboxRuntime, code: PluginCode, plugin: BenchPlugin) {
  return (installId: string) =>
    runtime.execute({
      installId,
      executionId: `bench-${installId}`,
      code,
      action: plugin.action,
      input: plugin.input as never,
      config: plugin.config as never,
      limits: LIMITS,
    });
}

async function warmFigures(runtime: SandboxRuntime): Promise<ReportRow[]> {
  const raw = await RawWarmInstance.create(SLUGIFY);
  const rawTiming = await timeSerial(() => raw.run(SLUGIFY.input));
  raw.dispose();
  const run = executor(runtime, await pluginCode(SLUGIFY), SLUGIFY);
  const first = await run('warm-install');
  if (first.status !== 'succeeded') throw new Error(`slugify failed in the runtime: ${JSON.stringify(first.error)}`);
  const bazaar = await timeSerial(() => run('warm-install'));
  const quickjs = new QuickJSInstance(await loadQuickJS(), SLUGIFY);
  const qjs = await timeSerial(() => quickjs.run(SLUGIFY.input));
  quickjs.dispose();
  const ratio = bazaar.meanUs / rawTiming.meanUs;
  return [
    { name: 'warm execution, raw isolated-vm Reference.apply (slugify)', figure: `${formatUs(rawTiming.meanUs)} (p99 ${formatUs(rawTiming.p99Us)})` },
    { name: 'warm execution, QuickJS peer (slugify)', figure: `${formatUs(qjs.meanUs)} (p99 ${formatUs(qjs.p99Us)})` },
    {
      name: 'warm execution, Bazaar runtime (slugify)',
      figure: `${formatUs(bazaar.meanUs)} (p99 ${formatUs(bazaar.p99Us)})`,
      baseline: formatUs(rawTiming.meanUs),
      ratio: `${ratio.toFixed(2)}x raw`,
      goal: '≤ 2x raw',
      met: ratio <= 2,
    },
  ];
}

async function coldFigures(runtime: SandboxRuntime): Promise<ReportRow[]> {
  const raw = await timeSerial(() => rawColdRun(SLUGIFY, SLUGIFY.input), { warmup: 20, iterations: 300 });
  const quickjsModule = await loadQuickJS();
  const qjs = await timeSerial(
    () => {
      const instance = new QuickJSInstance(quickjsModule, SLUGIFY);
      instance.run(SLUGIFY.input);
      instance.dispose();
    },
    { warmup: 20, iterations: 300 },
  );
  const run = executor(runtime, await pluginCode(SLUGIFY), SLUGIFY);
  let n = 0;
  const coldRun = async () => {
    const result = await run(`cold-${n++}`);
    if (result.status !== 'succeeded') throw new Error(`cold run failed: ${JSON.stringify(result.error)}`);
    return result;
  };
  // Paced like real sign-ups: the pool refills its spare isolates between new installs.
  const paced = await timeSerial(coldRun, { warmup: 10, iterations: 150, maxMs: 15000, pauseMs: 25 });
  // A burst of new installs outruns the spares, and each pays for creating its isolate.
  const burst = await timeSerial(coldRun, { warmup: 0, iterations: 100, maxMs: 10000 });
  for (let i = 0; i < n; i++) await runtime.evict(`cold-${i}`);
  return [
    { name: 'cold start, raw new Isolate + compile + run', figure: formatUs(raw.meanUs) },
    { name: 'cold start, QuickJS peer new runtime + eval + run', figure: formatUs(qjs.meanUs) },
    {
      name: 'cold start, Bazaar runtime (first execution of a new install)',
      figure: `${formatUs(paced.meanUs)} (p50 ${formatUs(paced.p50Us)})`,
      baseline: formatUs(raw.meanUs),
      ratio: `${(paced.meanUs / raw.meanUs).toFixed(2)}x raw`,
      goal: '≤ 0.5x raw',
      met: paced.meanUs <= 0.5 * raw.meanUs,
    },
    {
      name: 'cold start, Bazaar runtime, burst of new installs (spares exhausted)',
      figure: `${formatUs(burst.meanUs)} (p50 ${formatUs(burst.p50Us)})`,
      baseline: formatUs(raw.meanUs),
      ratio: `${(burst.meanUs / raw.meanUs).toFixed(2)}x raw`,
    },
  ];
}

async function memoryFigures(): Promise<ReportRow[]> {
  const installs = 200;
  const runtime = createSandboxRuntime({ workers: 1, maxWarmInstances: installs + 10, memoryBudgetMb: 4096 });
  try {
    const run = executor(runtime, await pluginCode(SLUGIFY), SLUGIFY);
    await run('memory-baseline');
    const pid = (await runtime.stats()).perWorker[0]!.pid;
    const before = rssBytes(pid);
    for (let i = 0; i < installs; i++) await run(`memory-${i}`);
    const after = rssBytes(pid);
    const perInstall = (after - before) / installs;
    return [
      {
        name: `RSS per warm install (${installs} slugify installs, one worker)`,
        figure: formatBytes(perInstall),
        baseline: `worker RSS ${formatBytes(before)} → ${formatBytes(after)}`,
        goal: '≤ 1.5 MB',
        met: perInstall <= 1.5 * 1024 * 1024,
      },
    ];
  } finally {
    await runtime.close();
  }
}

async function cpuHeavyFigures(runtime: SandboxRuntime): Promise<ReportRow[]> {
  const raw = await RawWarmInstance.create(SHA256);
  const rawTiming = await timeSerial(() => raw.run(SHA256.input), { warmup: 5, iterations: 30 });
  raw.dispose();
  const run = executor(runtime, await pluginCode(SHA256), SHA256);
  const bazaar = await timeSerial(() => run('cpu-heavy'), { warmup: 5, iterations: 30 });
  const quickjs = new QuickJSInstance(await loadQuickJS(), SHA256);
  const qjs = await timeSerial(() => quickjs.run(SHA256.input), { warmup: 1, iterations: 5, maxMs: 20000 });
  quickjs.dispose();
  const speedup = qjs.meanUs / bazaar.meanUs;
  return [
    { name: 'CPU-heavy (sha256 × 300 of 1 KiB), raw isolated-vm', figure: formatUs(rawTiming.meanUs) },
    { name: 'CPU-heavy, QuickJS peer', figure: formatUs(qjs.meanUs) },
    {
      name: 'CPU-heavy, Bazaar runtime',
      figure: formatUs(bazaar.meanUs),
      // Raw isolated-vm's own speedup is the ceiling: the sandbox adds nothing per instruction.
      baseline: `QuickJS ${formatUs(qjs.meanUs)}; raw isolated-vm ${(qjs.meanUs / rawTiming.meanUs).toFixed(1)}x QuickJS`,
      ratio: `${speedup.toFixed(1)}x faster than QuickJS`,
      goal: '≥ 20x faster than QuickJS',
      met: speedup >= 20,
    },
  ];
}

/** Only the warm-execution rows (`run.js warm`): the quick check of the per-execution overhead. */
export async function runWarmBench(): Promise<void> {
  const runtime = createSandboxRuntime();
  try {
    printReport('Sandbox runtime, warm executions', await warmFigures(runtime));
  } finally {
    await runtime.close();
  }
}

/** Runs every sandbox measurement and prints one table. */
export async function runSandboxBench(): Promise<void> {
  const runtime = createSandboxRuntime();
  try {
    const rows = [...(await warmFigures(runtime)), ...(await coldFigures(runtime)), ...(await cpuHeavyFigures(runtime))];
    rows.push(...(await memoryFigures()));
    printReport('Sandbox runtime', rows);
  } finally {
    await runtime.close();
  }
}
