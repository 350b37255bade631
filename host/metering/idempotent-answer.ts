/**
 * `Idempotency-Key` on POSTs that create or execute (docs/http-api.md
 * "Idempotency"): the first request with a key does the work and its answer is
 * stored; a replay within 24 h gets that answer and does no second execution,
 * charge or record. Built on the metering area's IdempotencyStore.
 *
 * - Work that answers (201, 200, and 422: a failed execution is still an
 *   execution) is completed, so replays see it.
 * - Work that throws (a refusal before anything happened: 402, 403, 429, or
 *   a 503) is abandoned, so a retry with the same key can run.
 * - The same key on a different request: 409 `conflict`; the first still
 *   running: 409 `conflict`, retry later.
 * - An execution that ran but whose record or answer was lost (503 after the
 *   sandbox, a crashed host) keeps its claim: once the claim's lease expires
 *   a retry learns which execution ran (409 `conflict` naming it) instead of
 *   running it twice; if it never ran, the retry takes the claim over.
 */
import { BazaarError, isBazaarError } from '../../manifests/errors.js';
import type { IdempotencyStore } from './idempotency-store.js';
import { type AppCtx, principalOf } from '../foundation/app-state.js';
import { readIdempotencyKey } from '../foundation/idempotency-key.js';
import { requestFingerprint } from './request-fingerprint.js';

export interface Answer {
  readonly status: number;
  readonly body: unknown;
  /** The stored answer of an earlier request with the same key: sent with `Idempotent-Replayed: true`. */
  readonly replayed?: boolean;
}

/** Answer `ctx` with `answer`, marking a replay so the client can tell it ran nothing now. */
export function sendAnswer(ctx: AppCtx, answer: Answer): void {
  if (answer.replayed === true) ctx.set('Idempotent-Replayed', 'true');
  ctx.status = answer.status;
  ctx.body = answer.body;
}

export interface IdempotentRequest {
  readonly tenantId: string;
  /** The validated key, or null without the header. */
  readonly key: string | null;
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  /** The id the execution will run under (execute routes), stored with the claim. */
  readonly executionId?: string;
}

/** An error thrown after the sandbox ran: the execution happened (and will be metered) though it was not answered. */
export function executionRan(err: unknown): string | undefined {
  if (!isBazaarError(err) || err.code !== 'dependency_unavailable') return undefined;
  const details = err.details as { executionId?: unknown } | undefined;
  return typeof details?.executionId === 'string' ? details.executionId : undefined;
}

export async function idempotentAnswer(
  store: Pick<IdempotencyStore, 'begin' | 'complete' | 'abandon'>,
  request: IdempotentRequest,
  work: () => Promise<Answer>,
): Promise<Answer> {
  const { key, tenantId } = request;
  if (key === null) return work();
  const claim = request.executionId === undefined ? {} : { executionId: request.executionId };
  const begun = await store.begin(tenantId, key, requestFingerprint(request.method, request.path, request.body), claim);
  switch (begun.state) {
    case 'replay':
      return { status: begun.status, body: begun.body, replayed: true };
    case 'in_progress':
      throw new BazaarError('conflict', 'A request with this Idempotency-Key is still in progress; retry later.');
    case 'executed':
      throw new BazaarError(
        'conflict',
        `The first request with this Idempotency-Key ran as execution ${begun.executionId}, but its answer was lost; see GET /v1/executions/${begun.executionId}.`,
        { executionId: begun.executionId },
      );
    case 'mismatch':
      throw new BazaarError('conflict', 'This Idempotency-Key was used for a different request.');
    case 'new':
      break;
  }
  let answer: Answer;
  try {
    answer = await work();
  } catch (err) {
    // It ran: keep the claim, so a retry after the lease finds the execution instead of running it again.
    if (executionRan(err) === undefined) await store.abandon(tenantId, key).catch(() => undefined); // an unreleased key only expires; the refusal matters more
    throw err;
  }
  await store.complete(tenantId, key, answer.status, answer.body);
  return answer;
}

/** A router's context: the app's, plus the matched path parameters. */
type RouteCtx = AppCtx & { params: Record<string, string | undefined> };

/**
 * A route handler made replayable with `Idempotency-Key`: `work` computes the
 * answer; a replay within 24 h gets the first one. The key is the caller's
 * tenant's. `fingerprintBody` names what makes two requests the same (default:
 * the parsed JSON body; uploads pass a digest of their bytes).
 *
 * Not used where the answer holds a secret that is otherwise stored only
 * hashed (a new API key): keeping the answer would keep the secret.
 */
export function replayable(
  store: Pick<IdempotencyStore, 'begin' | 'complete' | 'abandon'>,
  work: (ctx: RouteCtx) => Promise<Answer>,
  fingerprintBody: (ctx: RouteCtx) => unknown = (ctx) => ctx.request.body,
): (ctx: RouteCtx) => Promise<void> {
  return async function replayableRoute(ctx) {
    const request = {
      tenantId: principalOf(ctx).tenantId,
      key: readIdempotencyKey(ctx.headers),
      method: ctx.method,
      path: ctx.path,
      body: fingerprintBody(ctx),
    };
    sendAnswer(ctx, await idempotentAnswer(store, request, () => work(ctx)));
  };
}
