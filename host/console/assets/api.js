// The JSON API, called with the signed-in key. Errors carry the API's error
// envelope: {error: {code, message, details?}, requestId}.
import { session } from './session.js';

export class ApiError extends Error {
  constructor(status, code, message, requestId, details, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.details = details;
    this.body = body;
  }
}

/** The raw answer: {status, ok, body}. Never throws for an HTTP status (network errors do). */
export async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  const key = session.key();
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', cache: 'no-store' });
  } catch (err) {
    throw new ApiError(0, 'network_error', `The host could not be reached (${err.message}).`, null);
  }
  const text = res.status === 204 ? '' : await res.text();
  let parsed = null;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  return { status: res.status, ok: res.ok, body: parsed, requestId: res.headers.get('X-Request-Id') };
}

/** The parsed body of a 2xx answer; otherwise throws ApiError from the envelope. */
export async function api(method, path, body) {
  const res = await request(method, path, body);
  if (res.ok) return res.body;
  throw toError(res);
}

export function toError(res) {
  const e = res.body && typeof res.body === 'object' && res.body.error ? res.body.error : null;
  return new ApiError(
    res.status,
    e && typeof e.code === 'string' ? e.code : `http_${res.status}`,
    e && typeof e.message === 'string' ? e.message : `The host answered ${res.status}.`,
    (res.body && res.body.requestId) || res.requestId,
    e ? e.details : undefined,
    res.body,
  );
}

/** `/v1/plugins/%40scope%2Fname/…`: plugin names travel URL-encoded. */
export function pluginPath(name, ...rest) {
  return ['/v1/plugins', encodeURIComponent(name), ...rest.map(encodeURIComponent)].join('/');
}

/** Query string from an object, skipping empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}
