/**
 * Child process of `postLoadTargets` (load.ts): autocannon's programmatic API
 * with one request per target, which every connection cycles through, so the
 * load spreads over many installs and tenants. argv[2] is the JSON plan; the
 * result is printed as autocannon's JSON.
 */
import { createRequire } from 'node:module';

// autocannon ships no types; this is the one call used.
const autocannon = createRequire(import.meta.url)('autocannon') as (options: unknown) => Promise<unknown>;

interface Plan {
  url: string;
  connections: number;
  seconds: number;
  requests: { path: string; headers: Record<string, string>; body: string }[];
}

const plan = JSON.parse(process.argv[2] ?? '{}') as Plan;
const result = await autocannon({
  url: plan.url,
  connections: plan.connections,
  duration: plan.seconds,
  requests: plan.requests.map((r) => ({ method: 'POST', path: r.path, headers: { 'content-type': 'application/json', ...r.headers }, body: r.body })),
});
// Its own CPU, so the bench can say what share of the machine the load generator took.
const cpu = process.cpuUsage();
process.stdout.write(JSON.stringify({ ...(result as object), loadGeneratorCpuMs: (cpu.user + cpu.system) / 1000 }));
