import { readFileSync } from 'node:fs';

/**
 * Small timing helpers for `npm run bench`: figures, not assertions. Each
 * measurement runs a warm-up first, then enough iterations to fill a time box.
 */
export interface Timing {
  /** Mean microseconds per operation. */
  meanUs: number;
  p50Us: number;
  p99Us: number;
  iterations: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length));
  return sorted[index]!;
}

/** Times `op` one call at a time (latency), after `warmup` untimed calls; `pauseMs` idles before each. */
export async function timeSerial(
  op: (i: number) => Promise<unknown> | unknown,
  options: { warmup?: number; iterations?: number; maxMs?: number; pauseMs?: number } = {},
): Promise<Timing> {
  const { warmup = 200, iterations = 5000, maxMs = 3000, pauseMs = 0 } = options;
  for (let i = 0; i < warmup; i++) await op(i);
  const samples: number[] = [];
  const started = performance.now();
  for (let i = 0; i < iterations && performance.now() - started < maxMs; i++) {
    // An untimed pause lets background work (e.g. refilling spare isolates) happen as it would between real requests.
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    const t0 = process.hrtime.bigint();
    await op(warmup + i);
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length);
  return { meanUs: mean, p50Us: percentile(sorted, 50), p99Us: percentile(sorted, 99), iterations: samples.length };
}

export function formatUs(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`;
}

export function formatBytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(2)} MB`;
}

/** One line of the report: a figure, its baseline, the ratio and the goal. */
export interface ReportRow {
  name: string;
  figure: string;
  baseline?: string;
  ratio?: string;
  goal?: string;
  met?: boolean;
}

export function printReport(title: string, rows: ReportRow[]): void {
  console.log(`\n## ${title}\n`);
  console.log('| measurement | figure | baseline | ratio | goal | met |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    const met = r.met === undefined ? '' : r.met ? 'yes' : 'NO';
    console.log(`| ${r.name} | ${r.figure} | ${r.baseline ?? ''} | ${r.ratio ?? ''} | ${r.goal ?? ''} | ${met} |`);
  }
}

/** Resident set size of any local process, read from /proc (Linux). */
export function rssBytes(pid: number = process.pid): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
}
