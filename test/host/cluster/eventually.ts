/**
 * "Recovers by itself": poll, bounded, until a condition holds. The bound is
 * a number of attempts, generous for a loaded machine; the test asserts THAT
 * the host recovered, never how fast.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** Call `attempt` up to `tries` times, `stepMs` apart, until it answers true. Answers whether it did. */
export async function eventually(attempt: () => Promise<boolean>, tries = 240, stepMs = 250): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await attempt().catch(() => false)) return true;
    await sleep(stepMs);
  }
  return false;
}
