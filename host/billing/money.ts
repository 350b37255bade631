/**
 * Money arithmetic (docs/product.md "Tiers": integer cents, micro-dollars for
 * per-execution prices, never floating point). Every division rounds in exactly
 * one place, here, with one rule: half away from zero ("commercial" rounding),
 * computed on bigint so no intermediate product loses precision.
 *
 * Where each amount rounds:
 * - proration: (newPrice − oldPrice) × secondsRemaining / periodSeconds, once per change;
 * - overage: executions × centsPer1000 / 1000, once per plugin line;
 * - paid-plugin fee: Σ executions × perExecutionMicros, then / 10,000 (micros → cents) once per plugin line;
 * - tax: subtotal × rateBps / 10,000, once per invoice;
 * - the author's share: gross × shareBps / 10,000 rounded DOWN (the platform keeps the remainder, so
 *   shares never add up to more than was charged).
 */

/** `numerator / denominator` rounded half away from zero; the denominator must be positive. */
export function divRound(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  const sign = numerator < 0n ? -1n : 1n;
  const magnitude = numerator * sign;
  return sign * ((magnitude * 2n + denominator) / (denominator * 2n));
}

/** A bigint amount as a JS number; amounts stay far below 2^53, but say so loudly if not. */
export function toSafeNumber(value: bigint): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`amount ${value} is beyond safe integers`);
  return n;
}

/** The prorated difference of two monthly prices for the seconds remaining of a period. */
export function prorationCents(oldPriceCents: number, newPriceCents: number, secondsRemaining: number, periodSeconds: number): number {
  if (periodSeconds <= 0) return 0;
  const remaining = BigInt(Math.max(0, Math.min(secondsRemaining, periodSeconds)));
  return toSafeNumber(divRound(BigInt(newPriceCents - oldPriceCents) * remaining, BigInt(periodSeconds)));
}

/** Overage for `executions` at `centsPer1000`. */
export function overageCents(executions: number, centsPer1000: number): number {
  return toSafeNumber(divRound(BigInt(executions) * BigInt(centsPer1000), 1000n));
}

/** Micro-dollars to cents (1 cent = 10,000 micro-dollars). */
export function microsToCents(micros: bigint): number {
  return toSafeNumber(divRound(micros, 10_000n));
}

/** Tax on a subtotal at `rateBps` basis points. */
export function taxCents(subtotalCents: number, rateBps: number): number {
  return toSafeNumber(divRound(BigInt(subtotalCents) * BigInt(rateBps), 10_000n));
}

/** The author's share of a paid-plugin fee: rounded down. */
export function shareCents(grossCents: number, shareBps: number): number {
  return toSafeNumber((BigInt(grossCents) * BigInt(shareBps)) / 10_000n);
}
