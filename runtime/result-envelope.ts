/**
 * The one string an isolate hands back per execution. The prelude builds it
 * inside the isolate, under the execution's time limit, so that no getter,
 * toJSON or Proxy of plugin code ever runs while a value is copied out: only a
 * string crosses. Layout: `<kind>\n<logs JSON array>\n<payload>` where kind is
 * `ok` (payload = output JSON) or an error code (payload = message).
 *
 * The prelude's encoder lives in sandbox-prelude.ts (it is isolate source);
 * this is the host-side decoder, which trusts nothing in the string.
 */
import type { ExecutionErrorCode } from '../manifests/errors.js';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../manifests/json-depth.js';
import type { JsonValue } from './types.js';

/** The only codes an isolate may report about itself; anything else is a forgery. */
const ISOLATE_CODES: ReadonlySet<string> = new Set(['plugin_error', 'output_too_large']);

export type DecodedEnvelope =
  | { ok: true; output: JsonValue; logs: string[] }
  | { ok: false; code: ExecutionErrorCode; message: string; logs: string[] };

/** Parses a logs JSON array defensively: anything malformed counts as no logs. */
export function decodeLogs(json: string | undefined): string[] {
  if (json === undefined || json === '') return [];
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? parsed.filter((line): line is string => typeof line === 'string') : [];
  } catch {
    return [];
  }
}

/** The kind (`ok` or an error code) and the logs JSON of an envelope, without parsing the output. */
export function envelopeHead(envelope: string): { kind: string; logs: string } {
  const first = envelope.indexOf('\n');
  const second = first < 0 ? -1 : envelope.indexOf('\n', first + 1);
  return second < 0 ? { kind: '', logs: '' } : { kind: envelope.slice(0, first), logs: envelope.slice(first + 1, second) };
}

export function decodeEnvelope(envelope: string): DecodedEnvelope {
  const first = envelope.indexOf('\n');
  const second = first < 0 ? -1 : envelope.indexOf('\n', first + 1);
  if (second < 0) {
    return { ok: false, code: 'plugin_error', message: 'The sandbox returned a malformed result.', logs: [] };
  }
  const kind = envelope.slice(0, first);
  const logs = decodeLogs(envelope.slice(first + 1, second));
  const payload = envelope.slice(second + 1);
  if (kind === 'ok') {
    // Deeper output would overflow the recursive code that validates and answers it.
    if (nestedDeeperThan(payload, MAX_JSON_DEPTH)) {
      return { ok: false, code: 'plugin_error', message: `The plugin output is nested deeper than ${MAX_JSON_DEPTH} levels.`, logs };
    }
    try {
      return { ok: true, output: JSON.parse(payload) as JsonValue, logs };
    } catch {
      return { ok: false, code: 'plugin_error', message: 'The plugin output is not valid JSON.', logs };
    }
  }
  const code = ISOLATE_CODES.has(kind) ? (kind as ExecutionErrorCode) : 'plugin_error';
  return { ok: false, code, message: payload.slice(0, 2048), logs };
}
