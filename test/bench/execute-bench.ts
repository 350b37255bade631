/**
 * The execute path under load, for `npm run bench`: the full pipeline over
 * HTTP (key → tenant → rate limit → quota → trust gate → input schema →
 * sandbox worker → output schema → group-committed usage record) on one hot
 * install, at one connection (latency) and at 32 (throughput), against a bare
 * Koa route in one process calling raw isolated-vm on the same plugin, with
 * the same load generator. Also counts database round trips and the CPU time
 * of every process per execution, and the one-connection latency with shadow
 * runs on (a looping candidate on every execution) against shadow off.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { packDirectory } from '../../marketplace/package-archive.js';
import { BENCH_ADMIN_KEY, benchBackends, call, startBenchHost, type BenchHost } from './bench-host.js';
import { exampleDir, loadBenchPlugin } from './bench-plugins.js';
import type { LoadResult } from './load.js';
import { printReport, type ReportRow } from './measure.js';
import { RawWarmInstance } from './raw-isolated-vm.js';
import { profiled } from './cpu-profile.js';
import { describeProcessCpu, ProcessCpu } from './process-cpu.js';
import { StageTimer } from './stage-timer.js';
import { loadGeneratorName, wrkPost } from './wrk.js';

const SLUGIFY = loadBenchPlugin('slugify', 'slugify', { title: 'Crème Brûlée — 10 Tips for the Perfect Crust!' }, { separator: '-', maxLength: 80 });
/** At one connection (latency) and at 32 on one hot install (throughput), as the goals are set. */
const SECONDS = Number(process.env.BAZAAR_BENCH_SECONDS ?? 5);
const ONE = { connections: 1, seconds: SECONDS };
const LOAD = { connections: Number(process.env.BAZAAR_BENCH_CONNECTIONS ?? 32), seconds: SECONDS };

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

interface BenchInstall {
  readonly installId: string;
  readonly key: string;
  /** The key that published slugify (for another version of it). */
  readonly publisherKey: string;
}

/**
 * Shadow runs on the hot install at sampleRate 1, on a candidate (slugify
 * 1.1.0) that loops until its CPU limit: the execute path's one-connection
 * p50 with them on, beside the same figure with them off from this run.
 */
async function shadowFigures(host: BenchHost, hot: BenchInstall, off: LoadResult): Promise<ReportRow[]> {
  const copy = await mkdtemp(path.join(tmpdir(), 'bazaar-bench-shadow-'));
  await cp(exampleDir('slugify'), copy, { recursive: true });
  const manifest = JSON.parse(await readFile(path.join(copy, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(path.join(copy, 'manifest.json'), JSON.stringify({ ...manifest, version: '1.1.0' }));
  const code = await readFile(path.join(copy, 'index.js'), 'utf8');
  await writeFile(path.join(copy, 'index.js'), code.replace('export function slugify(input, ctx) {', 'export function slugify(input, ctx) { for (;;) {}'));
  const res = await fetch(`${host.url}/v1/packages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hot.publisherKey}`, 'content-type': 'application/gzip' },
    body: await packDirectory(copy),
  });
  if (res.status !== 201) throw new Error(`publish: ${res.status} ${await res.text()}`);
  await call(host, 'POST', '/v1/plugins/%40examples%2Fslugify/versions/1.1.0/review', BENCH_ADMIN_KEY, { decision: 'approve', notes: 'bench' });
  await call(host, 'PATCH', `/v1/installs/${hot.installId}`, hot.key, { shadow: { version: '1.1.0', sampleRate: 1 } });
  const url = `${host.url}/v1/installs/${hot.installId}/executions`;
  const headers = { authorization: `Bearer ${hot.key}` };
  const droppedBefore = host.deps.shadowRunner.dropped;
  const on = await wrkPost(url, { input: SLUGIFY.input }, { ...ONE, headers });
  await host.deps.shadowRunner.idle();
  const dropped = host.deps.shadowRunner.dropped - droppedBefore;
  const report = await call(host, 'GET', `/v1/installs/${hot.installId}/shadow`, hot.key);
  await fetch(`${host.url}/v1/installs/${hot.installId}/shadow`, { method: 'DELETE', headers });
  return [
    {
      ...loadRow(`full execute path, 1 connection, shadow runs on (sampleRate 1, looping candidate) — ${host.name}`, on),
      baseline: `shadow off p50 ${off.p50Ms} ms`,
      ratio: `${on.p50Ms - off.p50Ms >= 0 ? '+' : ''}${(on.p50Ms - off.p50Ms).toFixed(2)} ms p50`,
    },
    {
      name: `shadow runs during that figure — ${host.name}`,
      figure: `${String(report.compared)} compared (${String(report.candidateFailed)} candidate failed), ${dropped} dropped of ${on.ok} executions`,
    },
  ];
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

/** Publish and approve slugify, then install it for one tenant: the hot install. */
async function installSlugify(host: BenchHost): Promise<BenchInstall> {
  const publisher = await benchTenant(host, 'examples', ['plugins:publish']);
  const res = await fetch(`${host.url}/v1/packages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${publisher}`, 'content-type': 'application/gzip' },
    body: await packDirectory(exampleDir('slugify')),
  });
  if (res.status !== 201) throw new Error(`publish: ${res.status} ${await res.text()}`);
  await call(host, 'POST', '/v1/plugins/%40examples%2Fslugify/versions/1.0.0/review', BENCH_ADMIN_KEY, { decision: 'approve', notes: 'bench' });
  const key = await benchTenant(host, 'bench-hot', ['plugins:install', 'plugins:execute']);
  const install = await call(host, 'POST', '/v1/installs', key, { plugin: '@examples/slugify' });
  return { installId: install.id as string, key, publisherKey: publisher };
}

function loadRow(name: string, r: LoadResult): ReportRow {
  return { name, figure: `${r.requestsPerSecond.toFixed(0)} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms (${r.non2xx} non-2xx, ${r.errors} errors)` };
}

interface Bare {
  readonly one: LoadResult;
  readonly load: LoadResult;
}

async function executeFigures(backend: string, bare: Bare): Promise<ReportRow[]> {
  const host = await startBenchHost(backend);
  try {
    const hot = await installSlugify(host);
    const { installId, key } = hot;
    const url = `${host.url}/v1/installs/${installId}/executions`;
    const headers = { authorization: `Bearer ${key}` };
    const body = { input: SLUGIFY.input };
    // Warm-up: the install's instances on every worker, the caches and the quota counter.
    await call(host, 'POST', `/v1/installs/${installId}/executions`, key, body);
    await wrkPost(url, body, { connections: LOAD.connections, seconds: 2, headers });
    const one = await wrkPost(url, body, { ...ONE, headers });
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
    const { result: load, top } = await profiled(process.env.BAZAAR_BENCH_PROFILE, `execute-${backend}`, () => wrkPost(url, body, { ...LOAD, headers }));
    const cpu = process.cpuUsage(cpuBefore);
    const byProcess = machine.stop();
    host.deps.db.off('query', countQuery);
    const batches = host.deps.usage.batchSizes.map((n, size) => n - (batchesBefore[size] ?? 0));
    const executions = Math.max(1, load.ok);
    const usageWrites = host.deps.usage.roundTrips - writesBefore;
    if (top.length > 0) console.log(`\nCPU profile of the host process, ${host.name}: top self time\n${top.map((t) => `  ${t}`).join('\n')}`);
    if (process.env.BAZAAR_BENCH_STAGES === '1') {
      const stages = new StageTimer();
      stages.wrapExecutePath(host.deps);
      stages.start();
      const timed = await wrkPost(url, body, { ...ONE, headers });
      stages.stop();
      console.log(`\nWall time per stage at one connection, ${host.name} (${loadRow('', timed).figure})\n${stages.summary().map((l) => `  ${l}`).join('\n')}`);
    }
    const shadowRows = await shadowFigures(host, hot, one);
    const addedMs = one.p50Ms - bare.one.p50Ms;
    const ratio = load.requestsPerSecond / bare.load.requestsPerSecond;
    const tail = load.p99Ms / load.p50Ms;
    return [
      {
        ...loadRow(`full execute path, one install, 1 connection — ${host.name}`, one),
        baseline: `p50 ${bare.one.p50Ms} ms`,
        ratio: `+${addedMs.toFixed(2)} ms p50`,
        goal: '≤ bare p50 + 1.5 ms',
        met: addedMs <= 1.5,
      },
      {
        ...loadRow(`full execute path, one hot install, ${LOAD.connections} connections — ${host.name}`, load),
        baseline: `${bare.load.requestsPerSecond.toFixed(0)} req/s`,
        ratio: `${ratio.toFixed(2)}x bare`,
        goal: '≥ 0.3x bare (on the way to 0.5x)',
        met: ratio >= 0.3,
      },
      {
        name: `tail at ${LOAD.connections} connections (p99 / p50) — ${host.name}`,
        figure: `${tail.toFixed(1)}x (1 connection: ${(one.p99Ms / one.p50Ms).toFixed(1)}x)`,
        goal: '≤ 5x',
        met: tail <= 5 && one.p99Ms / one.p50Ms <= 5,
      },
      {
        name: `host process CPU per execution (main thread + libuv; sandbox workers excluded) — ${host.name}`,
        figure: `${((cpu.user + cpu.system) / 1000 / executions).toFixed(2)} ms`,
      },
      {
        name: `CPU of every process on the machine per execution, same window — ${host.name}`,
        figure: describeProcessCpu(byProcess, executions).join('; '),
      },
      {
        name: `usage-record writes per execution (leader/follower group commit) — ${host.name}`,
        figure: `1 per ${(executions / Math.max(1, usageWrites)).toFixed(1)} executions (${usageWrites} writes, ${executions} executions)`,
      },
      {
        name: `usage records per INSERT — ${host.name}`,
        figure: batchDistribution(batches),
      },
      {
        name: `all database round trips per execution — ${host.name}`,
        figure: `${(queries / executions).toFixed(3)} (${queries} queries, ${executions} executions)`,
      },
      {
        name: `most frequent statements — ${host.name}`,
        figure: [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([sql, n]) => `${n} × \`${sql}\``).join('; '),
      },
      ...shadowRows,
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
  const server = await bareRoute();
  let bare: Bare;
  let bareCpuMs = 0;
  try {
    await wrkPost(server.url, { input: SLUGIFY.input }, { connections: 8, seconds: 1 });
    const one = await wrkPost(server.url, { input: SLUGIFY.input }, ONE);
    const cpuBefore = process.cpuUsage();
    const load = await wrkPost(server.url, { input: SLUGIFY.input }, LOAD);
    const cpu = process.cpuUsage(cpuBefore);
    bareCpuMs = (cpu.user + cpu.system) / 1000 / Math.max(1, load.ok);
    bare = { one, load };
  } finally {
    await server.close();
  }
  const rows: ReportRow[] = [
    loadRow('bare Koa route + raw isolated-vm (same plugin, one process), 1 connection', bare.one),
    loadRow(`bare Koa route + raw isolated-vm, ${LOAD.connections} connections`, bare.load),
    { name: 'bare route process CPU per request (its load generator excluded)', figure: `${bareCpuMs.toFixed(2)} ms` },
  ];
  for (const backend of benchBackends()) rows.push(...(await executeFigures(backend, bare)));
  printReport(`Execute path (load generator: ${loadGeneratorName()}, ${SECONDS} s per figure)`, rows);
}
