/**
 * CPU time of every process on the machine over a measured window (Linux
 * /proc), grouped as this bench's host process, its child processes (sandbox
 * workers; the load generator has exited when the window is read, so its
 * own CPU is not in the figures), Redis, PostgreSQL and other processes by
 * name (other users of a shared machine show up there). On a
 * shared 2-core machine this says where the cores went: the host's own CPU
 * per execution is only part of what one execution costs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

interface Sample {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  /** utime + stime in clock ticks. */
  readonly ticks: number;
}

/** Linux's USER_HZ: 100 on every common configuration. */
const TICKS_PER_SECOND = 100;

function readAll(): Map<number, Sample> {
  const samples = new Map<number, Sample>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      // Fields after the name: state(0) ppid(1) ... utime(11) stime(12).
      samples.set(Number(entry), { pid: Number(entry), ppid: Number(fields[1]), comm, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended meanwhile.
    }
  }
  return samples;
}

export class ProcessCpu {
  readonly #before = readAll();
  readonly #started = performance.now();

  /** Milliseconds of CPU per group since construction, and the wall time elapsed. */
  stop(): { wallMs: number; cores: number; groups: Map<string, number> } {
    const after = readAll();
    const wallMs = performance.now() - this.#started;
    const groups = new Map<string, number>();
    const isOurs = (pid: number): boolean => {
      for (let p = pid, hops = 0; p > 1 && hops < 10; hops++) {
        if (p === process.pid) return true;
        p = after.get(p)?.ppid ?? this.#before.get(p)?.ppid ?? 0;
      }
      return false;
    };
    for (const [pid, sample] of after) {
      const used = sample.ticks - (this.#before.get(pid)?.ticks ?? 0);
      if (used <= 0) continue;
      let group: string;
      if (pid === process.pid) group = 'bench host process (Koa, limits, recorder)';
      else if (isOurs(pid)) group = sample.comm.startsWith('node') ? 'its sandbox worker processes' : `child: ${sample.comm}`;
      else if (sample.comm.startsWith('redis')) group = 'redis-server';
      else if (sample.comm.startsWith('postgres') || sample.comm.startsWith('postmaster')) group = 'postgres (all backends, also other users)';
      else group = `not this bench: ${sample.comm.replace(/[/:]\d+.*$/, '')}`;
      groups.set(group, (groups.get(group) ?? 0) + (used * 1000) / TICKS_PER_SECOND);
    }
    return { wallMs, cores: os.cpus().length, groups };
  }
}

/** "group: x ms/exec (y% of the machine)" lines, largest first, leaving out groups under 1% of the machine. */
export function describeProcessCpu(measured: ReturnType<ProcessCpu['stop']>, executions: number): string[] {
  const capacity = measured.wallMs * measured.cores;
  return [...measured.groups]
    .filter(([, ms]) => ms >= capacity / 100)
    .sort((a, b) => b[1] - a[1])
    .map(([group, ms]) => `${group}: ${(ms / Math.max(1, executions)).toFixed(2)} ms/exec (${((100 * ms) / capacity).toFixed(0)}% of ${measured.cores} cores)`);
}
