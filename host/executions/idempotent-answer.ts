/**
 * `Idempotency-Key` on POSTs that create or execute (API.md "Conventions"):
 * the first request with a key does the work and its answer is stored; a
 * replay within 24 h gets that answer and does no second execution, charge
 * or record. Built on the metering area's IdempotencyStore.
 *
 * - Work that answers (201, 200, and 422: a failed execution is still an
 *   execution) is completed, so replays see it.
 * - Work that throws (a refusal before anything happened: 402, 403, 429, or
 *   a 503) is abandoned, so a retry with the same key can run.
 * - The same key on a different request: 409 `conflict`; the first still
 *   running: 409 `conflict`, retry later.
 */
import { BazaarError } from '../../manifests/errors.js';
import type { IdempotencyStore } from '../idempotency/idempotency-store.js';
import { requestFingerprint } from '../idempotency/request-fingerprint.js';

export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

export interface IdempotentRequest {
  readonly tenantId: string;
  /** The validated key, or null without the header. */
  readonly key: string | null;
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

export async function idempotentAnswer(
  store: Pick<IdempotencyStore, 'begin' | 'complete' | 'abandon'>,
  request: IdempotentRequest,
  work: () => Promise<Answer>,
): Promise<Answer> {
  const { key, tenantId } = request;
  if (key === null) return work();
  const begun = await store.begin(tenantId, key, requestFingerprint(request.method, request.path, request.body));
  switch (begun.state) {
    case 'replay':
      return { status: begun.status, body: begun.body };
    case 'in_progress':
      throw new BazaarError('conflict', 'A request with this Idempotency-Key is still in progress; retry later.');
    case 'mismatch':
      throw new BazaarError('conflict', 'This Idempotency-Key was used for a different request.');
    case 'new':
      break;
  }
  let answer: Answer;
  try {
    answer = await work();
  } catch (err) {
    await store.abandon(tenantId, key).catch(() => undefined); // an unreleased key only expires; the refusal matters more
    throw err;
  }
  await store.complete(tenantId, key, answer.status, answer.body);
  return answer;
}
