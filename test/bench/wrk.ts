/**
 * HTTP load from wrk (a C load generator: it costs the machine far less than
 * one written in Node, which matters on two cores), POSTing one JSON body.
 * Falls back to autocannon (load.ts) when wrk is not installed, and says so.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { postLoad, type LoadResult } from './load.js';

const run = promisify(execFile);

export interface WrkOptions {
  readonly connections: number;
  readonly seconds: number;
  readonly headers?: Record<string, string>;
}

let wrkFound: boolean | undefined;

/** Whether `wrk` is on the PATH (`apt-get install wrk`). */
export function hasWrk(): boolean {
  if (wrkFound === undefined) {
    try {
      execFileSync('wrk', ['--version'], { stdio: 'ignore' });
      wrkFound = true;
    } catch (err) {
      // wrk --version exits 1 after printing its version.
      wrkFound = (err as { status?: number }).status === 1;
    }
  }
  return wrkFound;
}

export function loadGeneratorName(): string {
  return hasWrk() ? 'wrk' : 'autocannon (wrk not installed: apt-get install wrk)';
}

/** POSTs `body` to `url` over `connections` keep-alive connections for `seconds`. */
export async function wrkPost(url: string, body: unknown, options: WrkOptions): Promise<LoadResult> {
  if (!hasWrk()) return postLoad(url, body, { connections: options.connections, seconds: options.seconds, headers: options.headers ?? {} });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bazaar-wrk-'));
  try {
    const script = path.join(dir, 'post.lua');
    const headers = { 'content-type': 'application/json', ...options.headers };
    const lines = [
      'wrk.method = "POST"',
      `wrk.body = ${luaString(JSON.stringify(body))}`,
      ...Object.entries(headers).map(([name, value]) => `wrk.headers[${luaString(name)}] = ${luaString(value)}`),
    ];
    writeFileSync(script, lines.join('\n') + '\n');
    const threads = Math.min(options.connections, 2);
    const { stdout } = await run('wrk', ['-t', String(threads), '-c', String(options.connections), '-d', `${options.seconds}s`, '--latency', '-s', script, url], {
      maxBuffer: 1024 * 1024,
    });
    return parseWrk(stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function luaString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** wrk's text report → the figures the bench prints. */
function parseWrk(report: string): LoadResult {
  const ms = (label: string): number => {
    const match = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(report);
    if (match === null) return Number.NaN;
    const value = Number(match[1]);
    return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
  };
  const number = (pattern: RegExp): number => Number(pattern.exec(report)?.[1] ?? 0);
  const total = number(/(\d+) requests in/);
  const non2xx = number(/Non-2xx or 3xx responses: (\d+)/);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(report);
  const errors = socketErrors === null ? 0 : socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0);
  return {
    requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/),
    p50Ms: ms('50'),
    p99Ms: ms('99'),
    ok: total - non2xx,
    non2xx,
    errors,
  };
}
