/**
 * Source of the code that runs once in every fresh context, before any plugin
 * code: it hardens the global scope and builds, inside the isolate, everything
 * that touches plugin values (ctx, log formatting, JSON serialisation, error
 * description). Doing that work in the isolate means getters, toJSON and
 * Proxies of plugin code run under the execution's limits, and only strings
 * cross to the host.
 *
 * Run with `context.evalClosure(PRELUDE_SOURCE, [send, sendLog])`, where
 * `send` is an `ivm.Callback` in "ignored" mode taking one HostCall and
 * `sendLog` one taking (token, line): every log line kept is also handed to
 * the worker as it is written, so the logs of an execution whose isolate dies
 * (memory limit) are not lost with it. It returns PreludeApi
 * (`{ load, invoke, settle, takeLogs }`), held by the host only; the object
 * lives in this closure, so plugin code cannot reach it, nor the callbacks. The
 * shapes of what crosses (InvokeArgs, HostCall, HostCallReply) are the types
 * of sandbox-contract.ts; this source follows them by hand.
 *
 * Intrinsics are captured up front (uncurried) because globals persist across
 * warm executions of one install: a plugin that replaces Array.prototype.push
 * or JSON.stringify must not change how its next result is reported.
 */
export const PRELUDE_FILENAME = 'bazaar:prelude';

export const PRELUDE_SOURCE = String.raw`
'use strict';
const send = $0;
const sendLog = $1;
const G = globalThis;
const FP = Function.prototype;
const uncurry = FP.bind.bind(FP.call);
const freeze = Object.freeze;
const hasOwn = uncurry(Object.prototype.hasOwnProperty);
const apply = Reflect.apply;
const parse = JSON.parse;
const stringify = JSON.stringify;
const StringCtor = String;
const ErrorCtor = Error;
const PromiseCtor = Promise;
const MapCtor = Map;
const push = uncurry(Array.prototype.push);
const join = uncurry(Array.prototype.join);
const strSlice = uncurry(String.prototype.slice);
const charCodeAt = uncurry(String.prototype.charCodeAt);
const indexOf = uncurry(String.prototype.indexOf);
const reExec = uncurry(RegExp.prototype.exec);
const defineProperty = Object.defineProperty;
const mapGet = uncurry(Map.prototype.get);
const mapSet = uncurry(Map.prototype.set);
const mapDelete = uncurry(Map.prototype.delete);
const mapClear = uncurry(Map.prototype.clear);

// Memory outside the V8 heap and shared memory are out of bounds for plugins.
delete G.WebAssembly;
delete G.SharedArrayBuffer;
delete G.Atomics;

let ns = null;
let current = 0;
let logs = [];
let logBytes = 0;
let dropped = 0;
let maxLines = 0;
let maxBytes = 0;
let nextCall = 1;
const pending = new MapCtor();

function utf8Length(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = charCodeAt(s, i);
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3;
  }
  return n;
}

function clip(s, max) {
  return s.length > max ? strSlice(s, 0, max) + '…' : s;
}

function formatArg(value) {
  if (typeof value === 'string') return value;
  try {
    if (value !== null && typeof value === 'object') {
      const json = stringify(value);
      if (typeof json === 'string') return json;
    }
    return StringCtor(value);
  } catch (e) {
    return '[unprintable]';
  }
}

function appendLog(args) {
  if (logs.length >= maxLines || logBytes >= maxBytes) {
    // The worker learns once that lines were dropped (it says so if it must answer from its copy).
    if (++dropped === 1) sendLog(current, null);
    return;
  }
  const parts = [];
  for (let i = 0; i < args.length; i++) {
    push(parts, formatArg(args[i]));
    if (parts.length > 64) break;
  }
  let line = join(parts, ' ');
  // A line never exceeds the bytes left; cut cheaply first, then exactly.
  const left = maxBytes - logBytes;
  if (line.length > left) line = strSlice(line, 0, left);
  let bytes = utf8Length(line);
  while (bytes > left) { line = strSlice(line, 0, line.length - 1 - ((bytes - left) >> 2)); bytes = utf8Length(line); }
  push(logs, line);
  logBytes += bytes;
  sendLog(current, line);
}

// console.* writes to the running execution's logs, as ctx.log does. Frozen functions of this
// closure: the object holds nothing of the host, and no execution's ctx.
const consoleLog = freeze(function log(...args) { if (current !== 0) appendLog(args); });
defineProperty(G, 'console', {
  value: freeze({ log: consoleLog, info: consoleLog, warn: consoleLog, error: consoleLog, debug: consoleLog, trace: consoleLog }),
  writable: true,
  configurable: true,
  enumerable: false,
});

function logsJson() {
  const quoted = [];
  for (let i = 0; i < logs.length; i++) push(quoted, stringify(logs[i]));
  if (dropped > 0) push(quoted, stringify('[bazaar] log truncated: ' + dropped + ' more call(s) dropped'));
  return '[' + join(quoted, ',') + ']';
}

// A frame of plugin code as V8 prints it: "at fn (plugin:///lib/a.js:4:11)" or "at plugin:///a.js:4:11".
const PLUGIN_FRAME = /^\s*at (?:(.{1,200}) \()?plugin:\/\/\/([^\s()]{1,300}):(\d{1,7}):(\d{1,7})\)?$/;
const MAX_FRAMES = 20;

// The plugin's own frames of a thrown error, package-relative ("    at boom (index.js:4:11)"), or ''.
// Every other line (the message, prelude and built-in frames, text of a forged stack) is dropped.
function pluginStack(e) {
  if (e === null || (typeof e !== 'object' && typeof e !== 'function')) return '';
  let stack;
  try { stack = e.stack; } catch (x) { return ''; }
  if (typeof stack !== 'string') return '';
  const frames = [];
  let start = 0;
  while (start < stack.length && frames.length < MAX_FRAMES) {
    let end = indexOf(stack, '\n', start);
    if (end < 0) end = stack.length;
    const m = reExec(PLUGIN_FRAME, strSlice(stack, start, end));
    if (m !== null) {
      const where = m[2] + ':' + m[3] + ':' + m[4];
      push(frames, m[1] === undefined ? '    at ' + where : '    at ' + m[1] + ' (' + where + ')');
    }
    start = end + 1;
  }
  return join(frames, '\n');
}

function describe(e) {
  try {
    if (e !== null && (typeof e === 'object' || typeof e === 'function')) {
      let name = 'Error';
      let message = '';
      try { const n = e.name; if (typeof n === 'string') name = n; } catch (x) { /* hostile getter */ }
      try { const m = e.message; message = typeof m === 'string' ? m : m === undefined ? '' : StringCtor(m); } catch (x) { message = '[unprintable]'; }
      return clip(message === '' ? name : name + ': ' + message, 1024);
    }
    return clip('Uncaught ' + StringCtor(e), 1024);
  } catch (x) {
    return 'The plugin threw a value that cannot be described';
  }
}

function hostCall(token, op, args) {
  // A call from an execution that is over is never answered: its continuation never runs.
  if (token !== current) return new PromiseCtor(function never() {});
  const id = nextCall++;
  let resolve;
  let reject;
  const promise = new PromiseCtor(function executor(res, rej) { resolve = res; reject = rej; });
  mapSet(pending, id, { resolve, reject });
  // HostCall (sandbox-contract.ts). An object literal defines its fields: no setter of plugin code runs.
  send({ token, call: id, op, args: stringify(args) });
  return promise;
}

// A capability the install was not granted is still there, and says which permission it needs:
// a plugin author gets that sentence rather than "cannot read properties of undefined".
const KV_MISSING = 'ctx.kv needs the "kv" permission: set "permissions": { "kv": true } in the manifest (and have it granted at install)';
const FETCH_MISSING = 'ctx.fetch needs the "network.hosts" permission: list the hosts in the manifest\'s "permissions": { "network": { "hosts": [...] } } (and have them granted at install)';
function refuse(text) { return freeze(function refused() { throw new ErrorCtor(text); }); }
const refuseKv = refuse(KV_MISSING);
const KV_REFUSED = freeze(defineProperty(defineProperty(defineProperty(defineProperty({}, 'get', { get: refuseKv, enumerable: true }),
  'put', { get: refuseKv, enumerable: true }), 'delete', { get: refuseKv, enumerable: true }), 'list', { get: refuseKv, enumerable: true }));
const FETCH_REFUSED = refuse(FETCH_MISSING);

// bridge: BRIDGE_KV (1) | BRIDGE_FETCH (2), sandbox-contract.ts.
function makeCtx(token, config, execId, action, bridge) {
  const ctx = {
    config,
    log: freeze(function log(...args) { if (token === current) appendLog(args); }),
    execution: freeze({ id: execId, action }),
  };
  if ((bridge & 1) !== 0) {
    ctx.kv = freeze({
      get: freeze(function get(key) { return hostCall(token, 'kv.get', [key]); }),
      put: freeze(function put(key, value) { return hostCall(token, 'kv.put', [key, value]); }),
      delete: freeze(function del(key) { return hostCall(token, 'kv.delete', [key]); }),
      list: freeze(function list(prefix) { return hostCall(token, 'kv.list', [prefix === undefined ? null : prefix]); }),
    });
  } else {
    // Not enumerable: Object.keys(ctx) lists what the install may use.
    defineProperty(ctx, 'kv', { value: KV_REFUSED });
  }
  if ((bridge & 2) !== 0) {
    ctx.fetch = freeze(function fetch(url, init) {
      const i = init === undefined || init === null ? {} : init;
      return hostCall(token, 'fetch', [{ url, method: i.method, headers: i.headers, body: i.body }]);
    });
  } else {
    defineProperty(ctx, 'fetch', { value: FETCH_REFUSED });
  }
  return freeze(ctx);
}

function load(namespace) { ns = namespace; }

function begin(token, lines, bytes) {
  current = token;
  logs = [];
  logBytes = 0;
  dropped = 0;
  maxLines = lines;
  maxBytes = bytes;
}

function end() {
  current = 0;
  mapClear(pending);
}

// plugin_error carries one more line before the message: the plugin's frames as a JSON string ('' when none).
function failure(e) {
  try {
    let stack = '';
    try { stack = pluginStack(e); } catch (x) { /* no frames, then */ }
    return 'plugin_error\n' + logsJson() + '\n' + stringify(stack) + '\n' + describe(e);
  } catch (x) {
    return 'plugin_error\n[]\n""\nThe plugin failed';
  }
}

function serialize(result, maxOutputBytes) {
  try {
    let json = result === undefined ? 'null' : stringify(result);
    if (typeof json !== 'string') json = 'null';
    if (json.length > maxOutputBytes || (json.length * 3 > maxOutputBytes && utf8Length(json) > maxOutputBytes)) {
      return 'output_too_large\n' + logsJson() + '\nThe output exceeds ' + maxOutputBytes + ' bytes of JSON';
    }
    return 'ok\n' + logsJson() + '\n' + json;
  } catch (e) {
    return failure(e);
  }
}

async function settleAsync(pendingResult, maxOutputBytes) {
  try {
    return serialize(await pendingResult, maxOutputBytes);
  } catch (e) {
    return failure(e);
  } finally {
    end();
  }
}

// args: InvokeArgs (sandbox-contract.ts), a fresh copy made by isolated-vm, so reading its own
// fields runs no plugin code. Sync actions answer in the same call (no promise round trip); async
// ones return a promise. The first execution hands over the module namespace here rather than
// through load(), which saves a cold install one round trip to the isolate's thread; later ones
// pass undefined.
function invoke(args, namespace) {
  const { token, action, input, config, execId, maxOutputBytes, maxLogLines, maxLogBytes, bridge } = args;
  if (namespace !== undefined) ns = namespace;
  begin(token, maxLogLines, maxLogBytes);
  let result;
  try {
    const fn = ns !== null && hasOwn(ns, action) ? ns[action] : undefined;
    if (typeof fn !== 'function') {
      end();
      return 'plugin_error\n' + logsJson() + '\n""\nThe plugin does not export an action named ' + stringify(clip(action, 200));
    }
    const ctx = makeCtx(token, parse(config), execId, action, bridge);
    result = apply(fn, undefined, [parse(input), ctx]);
    if (result !== null && (typeof result === 'object' || typeof result === 'function') && typeof result.then === 'function') {
      return settleAsync(result, maxOutputBytes);
    }
  } catch (e) {
    const answer = failure(e);
    end();
    return answer;
  }
  const answer = serialize(result, maxOutputBytes);
  end();
  return answer;
}

// reply: HostCallReply (sandbox-contract.ts), copied in like invoke's args.
function settle(reply) {
  const { call, ok, value } = reply;
  const entry = mapGet(pending, call);
  if (entry === undefined) return;
  mapDelete(pending, call);
  if (ok) entry.resolve(parse(value));
  else entry.reject(new ErrorCtor(value));
}

function takeLogs() { return logsJson(); }

return { load, invoke, settle, takeLogs };
`;
