/** The limits' counters as one area of the host's lifecycle: closing them closes the Redis connection this host opened. */
import type { Area } from '../foundation/lifecycle.js';
import type { Limits } from './index.js';

/** `owned`: false when the counters were handed in (test hosts sharing one Redis) and belong to the caller. */
export function limitsArea(limits: Limits, owned: boolean): Area {
  return { name: 'limits', ...(owned ? { close: () => limits.close() } : {}) };
}
