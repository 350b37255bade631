/**
 * Request bodies, read with `raw-body` under a size limit (over the limit →
 * 413 `payload_too_large`) and a deadline (a body still arriving
 * `timeoutMs` after the host started reading it → 408 `request_timeout`;
 * the edge middleware then closes the connection).
 *
 * - `jsonBody` parses `application/json` (and `+json`) bodies into
 *   `ctx.request.body`, refusing malformed JSON and prototype-poisoning keys
 *   (`__proto__`, `constructor.prototype`) and JSON nested deeper than
 *   `MAX_JSON_DEPTH` with 400 `invalid_request`. Other
 *   content types are left unread: such a request reaches a JSON handler with
 *   `body === undefined`, which its validator refuses.
 * - `rawBody` reads the bytes into `ctx.request.rawBody` (package uploads).
 */
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../../manifests/json-depth.js';
import type Koa from 'koa';
import getRawBody from 'raw-body';
import secureJson from 'secure-json-parse';
import { BazaarError, isBazaarError } from '../../manifests/errors.js';
import type { AppState } from '../foundation/app-state.js';

declare module 'koa' {
  interface Request {
    /** The parsed JSON body, set by `jsonBody`; `undefined` when there was none. */
    body?: unknown;
    /** The body bytes, set by `rawBody`. */
    rawBody?: Buffer;
  }
}

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface BodyOptions {
  readonly limitBytes: number;
  /** How long the whole body may take to arrive, from the moment the host starts reading it. */
  readonly timeoutMs: number;
}



export function jsonBody(options: BodyOptions): Koa.Middleware<AppState> {
  return async function jsonBody(ctx, next) {
    if (METHODS_WITH_BODY.has(ctx.method) && ctx.request.is('application/json', '+json')) {
      const charset = ctx.request.charset;
      if (charset !== '' && charset !== 'utf-8' && charset !== 'utf8') {
        throw new BazaarError('invalid_request', 'JSON bodies must be UTF-8.');
      }
      const text = (await readBody(ctx, options)).toString('utf8');
      ctx.request.body = text.trim() === '' ? undefined : parseJson(text);
    }
    await next();
  };
}

/** Read the raw body (up to `limitBytes`) of requests whose type is one of `types`. */
export function rawBody(options: BodyOptions & { readonly types: readonly string[] }): Koa.Middleware<AppState> {
  return async function rawBody(ctx, next) {
    if (METHODS_WITH_BODY.has(ctx.method) && ctx.request.is(...options.types)) {
      ctx.request.rawBody = await readBody(ctx, options);
    }
    await next();
  };
}

async function readBody(ctx: Koa.Context, { limitBytes, timeoutMs }: BodyOptions): Promise<Buffer> {
  const encoding = ctx.get('content-encoding').toLowerCase();
  if (encoding !== '' && encoding !== 'identity') {
    // We would have to inflate with a ratio cap; no client needs it, so refuse.
    throw new BazaarError('invalid_request', 'Compressed request bodies are not accepted.');
  }
  const declared = ctx.request.length;
  // Refuse before reading a byte when the client announces too much.
  if (declared !== undefined && declared > limitBytes) throw tooLarge(limitBytes);
  const reading = getRawBody(ctx.req, { limit: limitBytes, ...(declared === undefined ? {} : { length: declared }) });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BazaarError('request_timeout', `The request body did not arrive within ${timeoutMs} ms.`)), timeoutMs);
  });
  try {
    return await Promise.race([reading, deadline]);
  } catch (err) {
    if (isBazaarError(err)) {
      reading.catch(() => undefined); // it ends when the connection closes
      throw err;
    }
    const type = (err as { type?: unknown }).type;
    if (type === 'entity.too.large') throw tooLarge(limitBytes);
    if (typeof type === 'string') {
      throw new BazaarError('invalid_request', 'The request body could not be read.', undefined, { cause: err });
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

function tooLarge(limitBytes: number): BazaarError {
  return new BazaarError('payload_too_large', `The request body is larger than ${limitBytes} bytes.`, {
    limitBytes,
  });
}

function parseJson(text: string): unknown {
  if (nestedDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new BazaarError('invalid_request', `JSON nested deeper than ${MAX_JSON_DEPTH} levels is not accepted.`, { maxDepth: MAX_JSON_DEPTH });
  }
  try {
    return secureJson.parse(text, null, { protoAction: 'error', constructorAction: 'error' });
  } catch (err) {
    throw new BazaarError('invalid_request', 'The body is not valid JSON.', undefined, { cause: err });
  }
}
