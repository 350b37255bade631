/**
 * The parts of a quota reservation both counters share: rebuilding an absent
 * counter from the usage records before reserving, and shaping the answer.
 */
import type { QuotaReservation, UsageSource } from './ports.js';

/** A counter's reply: status (1 reserved, 0 refused, -1 absent and must be seeded) and the count. */
export type ReserveReply = readonly [status: number, used: number];

export interface SeedThenRetryOptions {
  /** One atomic reservation; with `mustSeed`, an absent counter answers status -1 instead of starting at 0. */
  readonly attempt: (mustSeed: boolean) => Promise<ReserveReply>;
  readonly usage: UsageSource | undefined;
  readonly tenantId: string;
  readonly period: string;
  /** SET NX: when several processes seed at once, the first wins and the others are no-ops. */
  readonly seed: (used: number) => Promise<boolean>;
}

/**
 * Reserve; if the counter is absent (first use this period, or Redis lost it)
 * and a usage source is configured, seed it from the durable records and try
 * again. The retry does not insist on a seed: if the key vanished again in
 * between, counting from 0 beats looping.
 */
export async function seedThenRetry(options: SeedThenRetryOptions): Promise<ReserveReply> {
  const { attempt, usage } = options;
  const first = await attempt(usage !== undefined);
  if (first[0] !== -1 || usage === undefined) return first;
  await options.seed(await usage.executionsIn(options.tenantId, options.period));
  return attempt(false);
}

/** The port's answer: overage is how much of `used` lies beyond `included`. */
export function reservation(allowed: boolean, used: number, included: number | null): QuotaReservation {
  const overage = included === null ? 0 : Math.max(0, used - included);
  return { allowed, used, included, overage };
}
