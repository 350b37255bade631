/**
 * The one string an isolate hands back per execution. The prelude builds it
 * inside the isolate, under the execution's time limit, so that no getter,
 * toJSON or Proxy of plugin code ever runs while a value is copied out: only a
 * string crosses. Layout: `<kind>\n<logs JSON array>\n<payload>` where kind is
 * `ok` (payload = output JSON) or an error code (payload = message); a
 * `plugin_error` has one more line before its message, the plugin's stack
 * frames as a JSON string (`""` when none).
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
  | { ok: false; code: ExecutionErrorCode; message: string; stack?: string; logs: string[] };

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
  if (kind === 'plugin_error') {
    const third = payload.indexOf('\n');
    const stack = third < 0 ? '' : decodeStack(payload.slice(0, third));
    const message = payload.slice(third + 1, third + 1 + 2048);
    return { ok: false, code: 'plugin_error', message, ...(stack !== '' && { stack }), logs };
  }
  const code = ISOLATE_CODES.has(kind) ? (kind as ExecutionErrorCode) : 'plugin_error';
  return { ok: false, code, message: payload.slice(0, 2048), logs };
}

/** The stack line of a plugin_error: a JSON string whose lines are all plugin frames, else nothing. */
function decodeStack(json: string): string {
  try {
    const parsed: unknown = JSON.parse(json);
    return typeof parsed === 'string' ? onlyPluginFrames(parsed) : '';
  } catch {
    return '';
  }
}

/** A frame as the prelude writes it: "    at fn (lib/a.js:4:11)" or "    at lib/a.js:4:11"; never an absolute path. */
const PLUGIN_FRAME_LINE = /^ {4}at (?:.{1,200} \()?[^\s()/][^\s()]*:\d+:\d+\)?$/;

/** Keeps the lines shaped like package-relative frames (the prelude writes nothing else), at most 20. */
export function onlyPluginFrames(stack: string): string {
  return stack
    .split('\n')
    .filter((line) => PLUGIN_FRAME_LINE.test(line))
    .slice(0, 20)
    .join('\n');
}

/** V8's frame of a module compiled as `plugin:///<path>` (module-loader.ts). */
const RAW_PLUGIN_FRAME = /^\s*at (?:(.{1,200}) \()?plugin:\/\/\/([^\s()]{1,300}):(\d{1,7}):(\d{1,7})\)?$/;

/**
 * The plugin's frames of a V8 stack, package-relative, as the prelude makes
 * them inside the isolate: for errors that reach the worker directly (a module
 * that throws while it is evaluated).
 */
export function pluginFramesOf(stack: unknown): string {
  if (typeof stack !== 'string') return '';
  const frames: string[] = [];
  for (const line of stack.split('\n')) {
    const m = RAW_PLUGIN_FRAME.exec(line);
    if (m === null) continue;
    const where = `${m[2]}:${m[3]}:${m[4]}`;
    frames.push(m[1] === undefined ? `    at ${where}` : `    at ${m[1]} (${where})`);
    if (frames.length === 20) break;
  }
  return onlyPluginFrames(frames.join('\n'));
}
