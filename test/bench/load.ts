/**
 * HTTP load from a separate process (autocannon's CLI), so the load generator
 * does not share the event loop of the server it measures.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const AUTOCANNON = path.resolve(import.meta.dirname, '../../../node_modules/.bin/autocannon');

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers by status class; the execute path answers 200 (or 422 for plugin failures). */
  ok: number;
  non2xx: number;
  errors: number;
  /** CPU the load generator process used, start-up included (`postLoadTargets` only). */
  loadGeneratorCpuMs?: number;
}

export interface LoadOptions {
  connections?: number;
  seconds?: number;
  headers?: Record<string, string>;
}

/** One target of `postLoadTargets`: a path on the host with its own headers (e.g. another tenant's key). */
export interface LoadTarget {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

const WORKER = path.resolve(import.meta.dirname, 'load-worker.js');

/** POSTs to every target in turn from each of `connections` keep-alive connections (a separate process). */
export async function postLoadTargets(baseUrl: string, targets: readonly LoadTarget[], options: LoadOptions = {}): Promise<LoadResult> {
  const { connections = 32, seconds = 5 } = options;
  const plan = { url: baseUrl, connections, seconds, requests: targets.map((t) => ({ path: t.path, headers: t.headers, body: JSON.stringify(t.body) })) };
  const { stdout } = await run(process.execPath, [WORKER, JSON.stringify(plan)], { maxBuffer: 16 * 1024 * 1024 });
  return toLoadResult(JSON.parse(stdout) as AutocannonReport);
}

interface AutocannonReport {
  requests: { average: number };
  latency: { p50: number; p99: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  loadGeneratorCpuMs?: number;
}

function toLoadResult(report: AutocannonReport): LoadResult {
  return {
    requestsPerSecond: report.requests.average,
    p50Ms: report.latency.p50,
    p99Ms: report.latency.p99,
    ok: report['2xx'],
    non2xx: report.non2xx,
    errors: report.errors,
    ...(report.loadGeneratorCpuMs === undefined ? {} : { loadGeneratorCpuMs: report.loadGeneratorCpuMs }),
  };
}

/** POSTs `body` to `url` with `connections` keep-alive connections for `seconds`. */
export async function postLoad(url: string, body: unknown, options: LoadOptions = {}): Promise<LoadResult> {
  const { connections = 32, seconds = 5, headers = {} } = options;
  const args = ['-j', '-c', String(connections), '-d', String(seconds), '-m', 'POST', '-b', JSON.stringify(body), '-H', 'content-type=application/json'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`);
  args.push(url);
  const { stdout } = await run(AUTOCANNON, args, { maxBuffer: 16 * 1024 * 1024 });
  return toLoadResult(JSON.parse(stdout) as AutocannonReport);
}
