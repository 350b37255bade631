/**
 * The execute path under load, for `npm run bench`: the full pipeline over
 * HTTP (key → tenant → rate limit → quota → trust gate → input schema →
 * sandbox worker → output schema → group-committed usage record), spread over
 * many installs of many tenants, against a bare Koa route in one process
 * calling raw isolated-vm on the same plugin. Also counts database round trips
 * and the host process's CPU time per execution.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { packDirectory } from '../../marketplace/package-archive.js';
import { BENCH_ADMIN_KEY, benchBackends, call, startBenchHost, type BenchHost } from './bench-host.js';
import { exampleDir, loadBenchPlugin } from './bench-plugins.js';
import { postLoad, postLoadTargets, type LoadResult, type LoadTarget } from './load.js';
import { printReport, type ReportRow } from './measure.js';
import { RawWarmInstance } from './raw-isolated-vm.js';
import { profiled } from './cpu-profile.js';
import { describeProcessCpu, ProcessCpu } from './process-cpu.js';
import { StageTimer } from './stage-timer.js';

const SLUGIFY = loadBenchPlugin('slugify', 'slugify', { title: 'Crème Brûlée — 10 Tips for the Perfect Crust!' }, { separator: '-', maxLength: 80 });
/**
 * Under load: 64 keep-alive connections, enough that ~20+ executions are in
 * flight at once, so group commit has company to wait for (with 32, at most
 * 32 records can ever wait together and half the requests are elsewhere).
 * The bare baseline gets the same connections. `BAZAAR_BENCH_CONNECTIONS`
 * and `BAZAAR_BENCH_INSTALLS` override both for experiments.
 */
const LOAD = { connections: Number(process.env.BAZAAR_BENCH_CONNECTIONS ?? 64), seconds: 6 };

/** The baseline: one Koa route, one warm isolate, no auth, limits, validation or metering. */
async function bareRoute(): Promise<{ url: string; close(): Promise<void> }> {
  const instance = await RawWarmInstance.create(SLUGIFY);
  const app = new Koa();
  app.use(async (ctx) => {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    const { input } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { input: unknown };
    ctx.body = { output: await instance.run(input) };
  });
  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/run`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      instance.dispose();
    },
  };
}

/** Installs under load: one isolate per install runs one execution at a time, so concurrency needs many. */
const INSTALLS = Number(process.env.BAZAAR_BENCH_INSTALLS ?? 32);

interface BenchInstall {
  readonly installId: string;
  readonly key: string;
}

/** An enterprise tenant whose limits do not get in the way of the load, with a key of `scopes`. */
async function benchTenant(host: BenchHost, slug: string, scopes: string[]): Promise<string> {
  const tenant = await call(host, 'POST', '/v1/tenants', BENCH_ADMIN_KEY, { name: slug, slug, ownerEmail: `e@${slug}.test`, tier: 'enterprise' });
  await call(host, 'PUT', `/v1/tenants/${tenant.id}/settings`, BENCH_ADMIN_KEY, {
    limits: { requestsPerMinute: 100_000_000, maxConcurrentExecutions: 10_000 },
  });
  const { key } = await call(host, 'POST', `/v1/tenants/${tenant.id}/api-keys`, BENCH_ADMIN_KEY, { name: 'bench', scopes });
  return key as string;
}

/** Publish and approve slugify, then install it for `INSTALLS` tenants (one install each). */
async function installSlugify(host: BenchHost): Promise<BenchInstall[]> {
  const publisher = await benchTenant(host, 'examples', ['plugins:publish']);
  const res = await fetch(`${host.url}/v1/packages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${publisher}`, 'content-type': 'application/gzip' },
    body: await packDirectory(exampleDir('slugify')),
  });
  if (res.status !== 201) throw new Error(`publish: ${res.status} ${await res.text()}`);
  await call(host, 'POST', '/v1/plugins/%40examples%2Fslugify/versions/1.0.0/review', BENCH_ADMIN_KEY, { decision: 'approve', notes: 'bench' });
  const installs: BenchInstall[] = [];
  for (let i = 0; i < INSTALLS; i++) {
    const key = await benchTenant(host, `bench-${i}`, ['plugins:install', 'plugins:execute']);
    const install = await call(host, 'POST', '/v1/installs', key, { plugin: '@examples/slugify' });
    installs.push({ installId: install.id as string, key });
  }
  return installs;
}

function loadRow(name: string, r: LoadResult): ReportRow {
  return { name, figure: `${r.requestsPerSecond.toFixed(0)} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms (${r.non2xx} non-2xx, ${r.errors} errors)` };
}

async function executeFigures(backend: string, baseline: LoadResult): Promise<ReportRow[]> {
  const host = await startBenchHost(backend);
  try {
    const installs = await installSlugify(host);
    const targets: LoadTarget[] = installs.map(({ installId, key }) => ({
      path: `/v1/installs/${installId}/executions`,
      headers: { authorization: `Bearer ${key}` },
      body: { input: SLUGIFY.input },
    }));
    // Warm-up: every install's isolate, the caches and the quota counters (each target once, then under load).
    for (const { installId, key } of installs) await call(host, 'POST', `/v1/installs/${installId}/executions`, key, { input: SLUGIFY.input });
    await postLoadTargets(host.url, targets, { connections: 16, seconds: 3 });
    let queries = 0;
    const kinds = new Map<string, number>();
    const countQuery = (q: { sql?: string }): void => {
      queries++;
      const kind = (q.sql ?? '?').replace(/\s+/g, ' ').slice(0, 60);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    };
    host.deps.db.on('query', countQuery);
    const writesBefore = host.deps.usage.roundTrips;
    const batchesBefore = host.deps.usage.batchSizes;
    const cpuBefore = process.cpuUsage();
    const machine = new ProcessCpu();
    const { result, top } = await profiled(process.env.BAZAAR_BENCH_PROFILE, `execute-${backend}`, () => postLoadTargets(host.url, targets, LOAD));
    const cpu = process.cpuUsage(cpuBefore);
    const byProcess = machine.stop();
    host.deps.db.off('query', countQuery);
    const batches = host.deps.usage.batchSizes.map((n, size) => n - (batchesBefore[size] ?? 0));
    const executions = Math.max(1, result.ok);
    const ratio = result.requestsPerSecond / baseline.requestsPerSecond;
    const usageWrites = host.deps.usage.roundTrips - writesBefore;
    if (top.length > 0) console.log(`\nCPU profile of the host process, ${host.name}: top self time\n${top.map((t) => `  ${t}`).join('\n')}`);
    if (process.env.BAZAAR_BENCH_STAGES === '1') {
      const stages = new StageTimer();
      stages.wrapExecutePath(host.deps);
      stages.start();
      const timed = await postLoadTargets(host.url, targets, LOAD);
      stages.stop();
      console.log(`\nWall time per stage, ${host.name} (a second load run with timers on: ${loadRow('', timed).figure})\n${stages.summary().map((l) => `  ${l}`).join('\n')}`);
    }
    return [
      {
        ...loadRow(`full execute path over HTTP, ${INSTALLS} installs of ${INSTALLS} tenants — ${host.name}`, result),
        baseline: `${baseline.requestsPerSecond.toFixed(0)} req/s, p50 ${baseline.p50Ms} ms, p99 ${baseline.p99Ms} ms`,
        ratio: `${ratio.toFixed(2)}x bare`,
        goal: '≥ 0.5x bare',
        met: ratio >= 0.5,
      },
      {
        name: `host process CPU per execution (main thread + libuv; sandbox workers excluded) — ${host.name}`,
        figure: `${((cpu.user + cpu.system) / 1000 / executions).toFixed(2)} ms`,
      },
      {
        name: `CPU of every process on the machine per execution, same window — ${host.name}`,
        figure: [
          ...describeProcessCpu(byProcess, executions),
          ...(result.loadGeneratorCpuMs === undefined ? [] : [`load generator (its whole run): ${(result.loadGeneratorCpuMs / executions).toFixed(2)} ms/exec (${((100 * result.loadGeneratorCpuMs) / (byProcess.wallMs * byProcess.cores)).toFixed(0)}% of ${byProcess.cores} cores)`]),
        ].join('; '),
      },
      {
        name: `usage-record writes per execution (group commit) — ${host.name}`,
        figure: `1 per ${(executions / Math.max(1, usageWrites)).toFixed(1)} executions (${usageWrites} writes, ${executions} executions)`,
      },
      {
        name: `usage records per INSERT (group-commit batch sizes) — ${host.name}`,
        figure: batchDistribution(batches),
      },
      {
        name: `all database round trips per execution — ${host.name}`,
        figure: `${(queries / executions).toFixed(3)} (${queries} queries, ${executions} executions)`,
        goal: '≤ 1 per 20 executions (0.05)',
        met: queries / executions <= 0.05,
      },
      {
        name: `most frequent statements — ${host.name}`,
        figure: [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([sql, n]) => `${n} × \`${sql}\``).join('; '),
      },
    ];
  } finally {
    await host.close();
  }
}

/** Mean, p10/p50/p90 and the share of batches of ≥ 20 records, from counts by size. */
function batchDistribution(counts: readonly number[]): string {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return 'no batches';
  const at = (q: number): number => {
    let seen = 0;
    for (let size = 0; size < counts.length; size++) {
      seen += counts[size]!;
      if (seen >= q * total) return size;
    }
    return counts.length - 1;
  };
  const records = counts.reduce((sum, n, size) => sum + n * size, 0);
  const big = counts.reduce((sum, n, size) => sum + (size >= 20 ? n : 0), 0);
  return `mean ${(records / total).toFixed(1)}, p10 ${at(0.1)}, p50 ${at(0.5)}, p90 ${at(0.9)}, max ${at(1)}; ${((100 * big) / total).toFixed(0)}% of ${total} batches ≥ 20`;
}

/** Runs the load measurements on every configured backend and prints one table. */
export async function runExecuteBench(): Promise<void> {
  const bare = await bareRoute();
  let baseline: LoadResult;
  let bareCpuMs = 0;
  try {
    await postLoad(bare.url, { input: SLUGIFY.input }, { connections: 8, seconds: 1 });
    const cpuBefore = process.cpuUsage();
    baseline = await postLoad(bare.url, { input: SLUGIFY.input }, LOAD);
    const cpu = process.cpuUsage(cpuBefore);
    bareCpuMs = (cpu.user + cpu.system) / 1000 / Math.max(1, baseline.ok);
  } finally {
    await bare.close();
  }
  const rows: ReportRow[] = [
    loadRow('bare Koa route + raw isolated-vm (same plugin, one process)', baseline),
    { name: 'bare route process CPU per request (its load generator excluded)', figure: `${bareCpuMs.toFixed(2)} ms` },
  ];
  for (const backend of benchBackends()) rows.push(...(await executeFigures(backend, baseline)));
  printReport(`Execute path under load (${LOAD.connections} connections, ${LOAD.seconds} s)`, rows);
}
