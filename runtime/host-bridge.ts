/**
 * Parent side of ctx.kv.* and ctx.fetch: turns a host call made inside the
 * sandbox into a call on the install's ports (implemented by host/), and its
 * outcome into something safe to hand back. Only the ports the install was
 * granted are reachable; arguments are re-validated here because they come
 * from plugin code; errors go back as a bare sentence, never with host stack
 * frames or file paths.
 */
import { isBazaarError } from '../manifests/errors.js';
import type { FetchRequest, HostBridge, JsonValue } from './types.js';

export interface BridgeOutcome {
  ok: boolean;
  /** JSON of the value when ok; the sanitized message otherwise. */
  value: string;
}

/** A refusal whose message is meant for the plugin. */
class BridgeRefusal extends Error {}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new BridgeRefusal(`${what} must be a string`);
  return value;
}

function fetchRequest(value: unknown): FetchRequest {
  if (typeof value !== 'object' || value === null) throw new BridgeRefusal('fetch expects a URL');
  const { url, method, headers, body } = value as Record<string, unknown>;
  const request: { url: string; method?: string; headers?: Record<string, string>; body?: string } = {
    url: str(url, 'url'),
  };
  if (method !== undefined && method !== null) request.method = str(method, 'method');
  if (body !== undefined && body !== null) request.body = str(body, 'body');
  if (headers !== undefined && headers !== null) {
    if (typeof headers !== 'object' || Array.isArray(headers)) throw new BridgeRefusal('headers must be an object');
    request.headers = {};
    for (const [name, v] of Object.entries(headers)) request.headers[name] = str(v, `header ${name}`);
  }
  return request;
}

async function dispatch(bridge: HostBridge, op: string, args: unknown[]): Promise<unknown> {
  const { kv, fetch } = bridge;
  if (op === 'fetch' && fetch !== undefined) {
    const response = await fetch.fetch(fetchRequest(args[0]));
    return { status: response.status, headers: { ...response.headers }, body: response.body };
  }
  if (!op.startsWith('kv.') || kv === undefined) throw new BridgeRefusal(`${op} is not available`);
  switch (op) {
    case 'kv.get':
      return kv.get(str(args[0], 'key'));
    case 'kv.put':
      await kv.put(str(args[0], 'key'), (args[1] ?? null) as JsonValue);
      return null;
    case 'kv.delete':
      return kv.delete(str(args[0], 'key'));
    case 'kv.list':
      return kv.list(args[0] === null || args[0] === undefined ? undefined : str(args[0], 'prefix'));
    default:
      throw new BridgeRefusal(`${op} is not available`);
  }
}

/**
 * What the plugin may learn from a failed host call: our own refusals and
 * exposed (4xx) domain errors keep their sentence; anything else is reduced to
 * "<op> failed", since its message may carry host details.
 */
function sanitize(op: string, err: unknown): string {
  if (err instanceof BridgeRefusal) return err.message;
  if (isBazaarError(err) && err.expose) return err.message.split('\n', 1)[0]?.slice(0, 500) ?? `${op} failed`;
  return `${op} failed`;
}

/** Runs one host call; never throws. */
export async function callHost(bridge: HostBridge | undefined, op: string, argsJson: string): Promise<BridgeOutcome> {
  try {
    if (bridge === undefined) throw new BridgeRefusal(`${op} is not available`);
    const args: unknown = JSON.parse(argsJson);
    if (!Array.isArray(args)) throw new BridgeRefusal('malformed host call');
    const value = await dispatch(bridge, op, args);
    return { ok: true, value: JSON.stringify(value === undefined ? null : value) };
  } catch (err) {
    return { ok: false, value: sanitize(op, err) };
  }
}
