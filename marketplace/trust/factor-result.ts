/**
 * A factor's value and the evidence behind it. Every factor starts from a
 * documented baseline (recorded as the first evidence, signal `baseline`) and
 * each further piece of evidence adds its signed impact; the sum is clamped
 * to 0..100. So the evidence always explains the number.
 */
import type { Evidence, Severity, TrustFactor } from './trust-report.js';

export interface FactorResult {
  readonly score: number;
  readonly evidence: Evidence[];
}

/** Collects evidence for one factor. */
export class FactorBuilder {
  readonly #factor: TrustFactor;
  readonly #evidence: Evidence[] = [];

  constructor(factor: TrustFactor, baseline: number, why: string) {
    this.#factor = factor;
    this.#evidence.push({ factor, signal: 'baseline', detail: why, impact: baseline });
  }

  /** Records one signal; `impact` 0 is fine for positive facts worth showing. */
  add(signal: string, detail: string, impact: number, severity?: Severity): this {
    this.#evidence.push({ factor: this.#factor, signal, detail, impact: Math.round(impact), ...(severity ? { severity } : {}) });
    return this;
  }

  result(): FactorResult {
    const sum = this.#evidence.reduce((n, e) => n + e.impact, 0);
    return { score: Math.max(0, Math.min(100, Math.round(sum))), evidence: [...this.#evidence] };
  }
}
