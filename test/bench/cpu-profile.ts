/**
 * A CPU profile of this process over one measured window, for `npm run bench`
 * with `BAZAAR_BENCH_PROFILE=<dir>`: the bench host runs in this process, so
 * the profile is the host's (the load generator and sandbox workers are other
 * processes). Writes `<dir>/<name>.cpuprofile` (Chrome DevTools format) and
 * answers the top functions by self time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/** Profiles `work()` when `dir` is set; otherwise just runs it. */
export async function profiled<T>(dir: string | undefined, name: string, work: () => Promise<T>): Promise<{ result: T; top: string[] }> {
  if (dir === undefined || dir === '') return { result: await work(), top: [] };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  let top: string[] = [];
  try {
    return { result: await work(), top };
  } finally {
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
    session.disconnect();
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    top.push(...topSelfTime(profile, 25));
  }
}

/** Self time by function (name + file:line), largest first, as "pct% name (file:line)". */
export function topSelfTime(profile: Profile, count: number): string[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i]!);
    if (node === undefined) continue;
    const dt = deltas[i] ?? 0;
    total += dt;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, '').replace(/^file:\/\//, '');
    const key = `${functionName || '(anonymous)'} (${file || 'native'}${file ? `:${lineNumber + 1}` : ''})`;
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, t]) => `${((100 * t) / Math.max(1, total)).toFixed(1)}% ${key}`);
}
