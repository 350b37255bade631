/**
 * HTTP to real host processes, with Node's fetch: what a client behind a load
 * balancer sends. `send` answers status, headers and the parsed JSON body;
 * `trySend` answers `null` instead of throwing when no answer came at all
 * (connection refused or reset: a killed host).
 */

/** An answer; `body` is the parsed JSON (the contract's shapes), or the text. */
export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  // The contract's JSON, read field by field in assertions.
  readonly body: any;
}

export interface SendOptions {
  /** An API key: `Authorization: Bearer <key>`. */
  readonly key?: string;
  /** JSON body (or a Buffer sent as application/gzip: a package upload). */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Give up after this long (default 60 s): a hung host fails the test rather than the run. */
  readonly timeoutMs?: number;
}

export async function send(baseUrl: string, method: string, path: string, options: SendOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  let body: string | Buffer | undefined;
  if (Buffer.isBuffer(options.body)) {
    headers['content-type'] = 'application/gzip';
    body = options.body;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const res = await fetch(baseUrl + path, { method, headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 60_000) });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed };
}

/** Like `send`, but `null` when the host gave no HTTP answer (refused, reset, died mid-request). */
export async function trySend(baseUrl: string, method: string, path: string, options: SendOptions = {}): Promise<Reply | null> {
  try {
    return await send(baseUrl, method, path, options);
  } catch (err) {
    if (isNoAnswer(err)) return null;
    throw err;
  }
}

/** fetch's "the connection failed" (TypeError: fetch failed, with a socket error as cause). */
function isNoAnswer(err: unknown): boolean {
  return err instanceof TypeError && /fetch failed/.test(err.message);
}

/** `status code` of a reply, for compact assertion messages and tallies: `200`, `429 rate_limited`. */
export function outcome(reply: Reply | null): string {
  if (reply === null) return 'no answer';
  const code = (reply.body as { error?: { code?: string } } | null)?.error?.code;
  return code === undefined ? String(reply.status) : `${reply.status} ${code}`;
}

/** How many times each outcome occurred: `{'200': 25, '402 quota_exceeded': 175}`. */
export function tally(replies: readonly (Reply | null)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const reply of replies) counts[outcome(reply)] = (counts[outcome(reply)] ?? 0) + 1;
  return counts;
}
