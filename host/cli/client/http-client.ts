/**
 * The CLI's one HTTP client for the API of docs/http-api.md, on Node's
 * fetch: bearer auth, JSON in and out, a timeout on every call, and every
 * failure turned into either HostRefusedError (the host said no: exit 1) or
 * HostUnreachableError (no answer: exit 3).
 */
import type { ErrorCode } from '../../../manifests/errors.js';
import type { ClientSettings } from './client-settings.js';
import { HostRefusedError, HostUnreachableError, type ErrorAnswer } from './client-errors.js';

/** Default time for one call; uploads and executions pass their own. */
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface RequestOptions {
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** A JSON body. */
  readonly json?: unknown;
  /** A raw body (package uploads), with its content type. */
  readonly raw?: { readonly body: Buffer | ReadableStream<Uint8Array>; readonly contentType: string };
  readonly idempotencyKey?: string;
  readonly timeoutMs?: number;
  /** Error statuses that are answers, not refusals (422: a failed execution still has its result). */
  readonly accept?: readonly number[];
}

export interface ApiAnswer<T> {
  readonly status: number;
  readonly body: T;
  readonly requestId: string | undefined;
}

/** `@acme/slugify` → `%40acme%2Fslugify`, as the contract's paths expect. */
export function pluginPath(name: string): string {
  return encodeURIComponent(name);
}

export class HostClient {
  readonly host: string;
  readonly #key: string;

  constructor(settings: ClientSettings) {
    this.host = settings.host;
    this.#key = settings.key;
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<ApiAnswer<T>> {
    return this.request('GET', path, options);
  }

  post<T>(path: string, options: RequestOptions = {}): Promise<ApiAnswer<T>> {
    return this.request('POST', path, options);
  }

  delete<T>(path: string, options: RequestOptions = {}): Promise<ApiAnswer<T>> {
    return this.request('DELETE', path, options);
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiAnswer<T>> {
    const url = new URL(`${this.host}${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { authorization: `Bearer ${this.#key}`, accept: 'application/json' };
    let body: RequestInit['body'];
    if (options.raw !== undefined) {
      headers['content-type'] = options.raw.contentType;
      body = options.raw.body as RequestInit['body'];
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

    let response: Response;
    let text: string;
    try {
      const init: RequestInit & { duplex?: 'half' } = { method, headers, signal: AbortSignal.timeout(timeoutMs) };
      if (body !== undefined) init.body = body;
      // fetch streams a ReadableStream body only in half-duplex mode (the upload progress uses one).
      if (body instanceof ReadableStream) init.duplex = 'half';
      response = await fetch(url, init);
      text = await response.text();
    } catch (err) {
      throw unreachable(this.host, timeoutMs, err);
    }
    const requestId = response.headers.get('x-request-id') ?? undefined;
    const parsed = parseJson(text);
    if (response.ok || options.accept?.includes(response.status)) {
      // 204 (a revoked key) has no body; anything else must be JSON.
      if (response.status === 204) return { status: 204, body: undefined as T, requestId };
      if (parsed === undefined) throw new HostRefusedError(response.status, notJson(response, requestId));
      return { status: response.status, body: parsed as T, requestId };
    }
    throw new HostRefusedError(response.status, errorAnswer(response, parsed, requestId));
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function unreachable(host: string, timeoutMs: number, err: unknown): HostUnreachableError {
  const name = (err as { name?: unknown }).name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new HostUnreachableError(`no answer from ${host} within ${timeoutMs} ms`, { cause: err });
  }
  // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, ...) is in `cause`.
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (err as Error).message;
  return new HostUnreachableError(`could not reach ${host}: ${why}`, { cause: err });
}

/** Catalog codes for error answers without the contract's body (a proxy's 413 page, a load balancer's 502). */
function codeForStatus(status: number): ErrorCode {
  const byStatus: Partial<Record<number, ErrorCode>> = {
    400: 'invalid_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict',
    408: 'request_timeout', 413: 'payload_too_large', 429: 'rate_limited', 503: 'dependency_unavailable',
  };
  return byStatus[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request');
}

function errorAnswer(response: Response, parsed: unknown, requestId: string | undefined): ErrorAnswer {
  const error = (parsed as Partial<ErrorAnswer> | undefined)?.error;
  const id = (parsed as { requestId?: unknown } | undefined)?.requestId;
  const answerId = typeof id === 'string' ? id : requestId;
  if (error !== undefined && typeof error.code === 'string' && typeof error.message === 'string') {
    return { error, ...(answerId === undefined ? {} : { requestId: answerId }) };
  }
  return {
    error: { code: codeForStatus(response.status), message: `the host answered ${response.status} ${response.statusText}`.trim() },
    ...(answerId === undefined ? {} : { requestId: answerId }),
  };
}

function notJson(response: Response, requestId: string | undefined): ErrorAnswer {
  return {
    error: { code: 'internal_error', message: `the host answered ${response.status} with a body that is not JSON` },
    ...(requestId === undefined ? {} : { requestId }),
  };
}
