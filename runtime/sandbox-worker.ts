/**
 * Entry point of a sandbox worker process (forked by sandbox-pool). Isolates
 * live here, not in the host, because isolated-vm's memory limit is soft and
 * some allocation patterns abort the whole process (isolated-vm #460, #499,
 * #527): when that happens only this process dies, and the parent answers its
 * in-flight executions `sandbox_crashed` and starts a new one.
 *
 * The event loop only routes messages and runs watchdogs; plugin code runs on
 * isolated-vm's threads, so a slow plugin never blocks the others here.
 */
import type { PluginInstance as PluginInstanceType } from './plugin-instance.js';
import { PluginInstance } from './plugin-instance.js';
import { InstanceCache } from './instance-cache.js';
import { IsolatePool } from './isolate-pool.js';
import { type BatchMessage, eachMessage, IpcOutbox } from './ipc-outbox.js';
import type { PluginCode } from './types.js';
import {
  noUsage,
  WORKER_SETTINGS_ENV,
  type ExecMessage,
  type HostCall,
  type ParentMessage,
  type ResultMessage,
  type WorkerMessage,
  type WorkerSettings,
} from './sandbox-contract.js';

const settings = JSON.parse(process.env[WORKER_SETTINGS_ENV] ?? '{}') as WorkerSettings;
const MB = 1024 * 1024;

/** Results finished in one turn of the event loop leave in one write (ipc-outbox.ts). */
const outbox = new IpcOutbox<WorkerMessage>((message) => {
  if (process.connected) process.send?.(message);
});

function send(message: WorkerMessage): void {
  outbox.send(message);
}

/**
 * V8 has lost control of an isolate: nothing in this process can be trusted.
 * Log and die at once; SIGKILL rather than process.exit(), which can wait on
 * isolate threads that will never finish.
 */
function dieNow(why: string): void {
  process.stderr.write(`[sandbox-worker ${process.pid}] ${why}; exiting for a restart\n`);
  process.kill(process.pid, 'SIGKILL');
}

const isolates = new IsolatePool({
  spares: settings.spareIsolates,
  onCatastrophicError: (message) => dieNow(`catastrophic isolate error: ${message}`),
});
const cache = new InstanceCache({
  memoryBudgetBytes: settings.memoryBudgetMb * MB,
  maxInstances: settings.maxWarmInstances,
  idleMs: settings.idleInstanceMs,
});
/** Package sources by sha256, bounded, so a re-created instance needs no resend. */
const codes = new Map<string, PluginCode>();
const MAX_CODES = 256;
const running = new Map<string, PluginInstanceType>();

function rememberCode(code: PluginCode): void {
  codes.delete(code.sha256);
  codes.set(code.sha256, code);
  if (codes.size > MAX_CODES) codes.delete(codes.keys().next().value as string);
}

function forwardBridge(execId: string, { call, op, args }: HostCall): void {
  send({ t: 'bridge', id: execId, call, op, args });
}

function forwardLogs(execId: string, lines: string[], truncated: boolean): void {
  send({ t: 'logs', id: execId, lines, truncated });
}

/** An idle warm instance of the install, or a new one on a fresh isolate; undefined when the package must be sent. */
async function instanceFor(msg: ExecMessage): Promise<PluginInstanceType | undefined> {
  const { memoryMb } = msg.limits;
  // An instance of the same version and memory limit; one that ran enough executions is disposed, not reused.
  const warm = cache.take(
    msg.install,
    (instance) => instance.code.sha256 === msg.sha && instance.memoryMb === memoryMb,
    (instance) => instance.executions < settings.maxExecutionsPerInstance,
  );
  if (warm !== undefined) return warm;
  if (msg.code !== undefined) rememberCode({ sha256: msg.sha, main: msg.code.main, files: msg.code.files });
  const code = codes.get(msg.sha);
  if (code === undefined) return undefined;
  const instance = new PluginInstance(msg.install, code, await isolates.take(memoryMb), forwardBridge, forwardLogs);
  cache.add(instance);
  return instance;
}

async function onExec(msg: ExecMessage): Promise<void> {
  const instance = await instanceFor(msg);
  if (instance === undefined) {
    send({ t: 'need-code', id: msg.id });
    return;
  }
  running.set(msg.id, instance);
  let result: ResultMessage;
  try {
    result = await instance.execute(msg);
  } finally {
    running.delete(msg.id);
    cache.give(instance);
  }
  // Answer first: the bookkeeping below runs in the same tick, before any next message is read.
  send(result);
  cache.enforceBudget();
  isolates.fill(msg.limits.memoryMb);
}

function onMessage(msg: ParentMessage): void {
  switch (msg.t) {
    case 'exec':
      onExec(msg).catch((err: unknown) => {
        running.delete(msg.id);
        const message = 'The sandbox failed to start the plugin.';
        process.stderr.write(`[sandbox-worker ${process.pid}] exec failed: ${String(err)}\n`);
        send({ t: 'result', id: msg.id, error: { code: 'sandbox_crashed', message }, usage: noUsage() });
      });
      break;
    case 'bridge-reply':
      running.get(msg.id)?.settle(msg.id, { call: msg.call, ok: msg.ok, value: msg.value });
      break;
    case 'evict':
      cache.evict(msg.install, true);
      break;
    case 'stats':
      send({
        t: 'stats',
        seq: msg.seq,
        warmInstances: cache.size,
        spareIsolates: isolates.size,
        evictions: cache.evictions,
        inFlight: running.size,
        isolateMemoryBytes: cache.memoryBytes,
        rssBytes: process.memoryUsage.rss(),
      });
      break;
    case 'block':
      if (settings.testHooks) {
        // Stands in for native work V8 cannot interrupt: this event loop stops answering.
        const until = Date.now() + msg.ms;
        while (Date.now() < until) {
          /* busy on purpose */
        }
      }
      break;
  }
}

// An install's pool shrinks back once its demand has passed.
setInterval(() => cache.shrinkIdle(), Math.max(100, Math.min(settings.idleInstanceMs, 5000))).unref();

// Memory outside any V8 heap (ArrayBuffer backing stores, native leaks) shows only in the RSS.
setInterval(() => {
  const rss = process.memoryUsage.rss();
  if (rss > settings.rssLimitMb * MB) dieNow(`resident memory ${Math.round(rss / MB)} MB over ${settings.rssLimitMb} MB`);
}, 50).unref();

// The parent went away: nothing to serve any more.
process.on('disconnect', () => {
  cache.clear();
  isolates.close();
  process.exit(0);
});
process.on('message', (received: ParentMessage | BatchMessage<ParentMessage>) => eachMessage(received, onMessage));
isolates.fill(settings.defaultMemoryMb);
send({ t: 'ready' });
