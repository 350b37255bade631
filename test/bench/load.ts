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
}

export interface LoadOptions {
  connections?: number;
  seconds?: number;
  headers?: Record<string, string>;
}

/** POSTs `body` to `url` with `connections` keep-alive connections for `seconds`. */
export async function postLoad(url: string, body: unknown, options: LoadOptions = {}): Promise<LoadResult> {
  const { connections = 32, seconds = 5, headers = {} } = options;
  const args = ['-j', '-c', String(connections), '-d', String(seconds), '-m', 'POST', '-b', JSON.stringify(body), '-H', 'content-type=application/json'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`);
  args.push(url);
  const { stdout } = await run(AUTOCANNON, args, { maxBuffer: 16 * 1024 * 1024 });
  const report = JSON.parse(stdout) as {
    requests: { average: number };
    latency: { p50: number; p99: number };
    '2xx': number;
    non2xx: number;
    errors: number;
  };
  return {
    requestsPerSecond: report.requests.average,
    p50Ms: report.latency.p50,
    p99Ms: report.latency.p99,
    ok: report['2xx'],
    non2xx: report.non2xx,
    errors: report.errors,
  };
}
