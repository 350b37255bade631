/**
 * The one place where failures of the engine (isolated-vm, V8, the worker
 * process) become execution error codes. Decisions rest on state we know
 * (why we disposed an isolate, whether it is disposed, whether the deadline
 * has passed) and only fall back to isolated-vm's message text where the
 * library exposes nothing else.
 */
import type { ExecutionErrorCode } from '../manifests/errors.js';
import { pluginFramesOf } from './result-envelope.js';

/** Why the runtime itself ended an isolate or a worker. */
export type KillReason = 'cpu' | 'wall' | 'memory' | 'evicted' | 'closed';

export interface EngineFailure {
  code: ExecutionErrorCode;
  message: string;
  /** The plugin's own frames (result-envelope.ts), for an error its code threw. */
  stack?: string;
}

export interface EngineState {
  /** Set when a watchdog (or eviction) disposed the isolate on purpose. */
  readonly killReason?: KillReason;
  /** `isolate.isDisposed` after the failure. */
  readonly isDisposed: boolean;
  /** Wall time elapsed since the execution started. */
  readonly elapsedMs: number;
  readonly cpuMs: number;
  readonly timeoutMs: number;
  readonly memoryMb: number;
  /** The most heap + external memory seen during the execution (0 when unknown). */
  readonly peakMemoryBytes?: number;
}

/** isolated-vm's own text for its `timeout` option; it has no error code. */
const TIMED_OUT_TEXT = 'Script execution timed out.';

function errorText(err: unknown): string {
  if (typeof err === 'object' && err !== null && Object.prototype.toString.call(err) === '[object Error]') {
    const { name, message } = err as { name?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : '';
    return typeof name === 'string' && name !== 'Error' && name !== '' ? `${name}: ${text}` : text;
  }
  return typeof err === 'string' ? err : 'unknown failure';
}

/**
 * Keeps only what the plugin itself said: one line, bounded, without absolute
 * host paths (isolated-vm may chain host stack text onto copied errors).
 */
export function sanitizeMessage(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.replace(/(^|[\s('"])(?:file:\/\/)?\/(?:[\w.@-]+\/)+[\w.@-]*/g, '$1<path>').slice(0, 1024);
}

export function translateEngineFailure(err: unknown, state: EngineState): EngineFailure {
  // A heap this close to its limit spends its time in garbage collection: whichever limit tripped
  // first, running out of memory is what stopped the plugin.
  if ((state.killReason === 'cpu' || state.killReason === 'wall') && isUnderMemoryPressure(state.peakMemoryBytes ?? 0, state.memoryMb)) {
    return { code: 'memory_limit_exceeded', message: `The plugin used more than ${state.memoryMb} MB of memory.` };
  }
  switch (state.killReason) {
    case 'cpu':
      return { code: 'execution_timeout', message: `The plugin used more than ${state.cpuMs} ms of CPU time.` };
    case 'wall':
      return { code: 'execution_timeout', message: `The plugin did not finish within ${state.timeoutMs} ms.` };
    case 'memory':
      return { code: 'memory_limit_exceeded', message: `The plugin used more than ${state.memoryMb} MB of memory.` };
    case 'evicted':
    case 'closed':
      return { code: 'sandbox_crashed', message: 'The sandbox was shut down while the plugin was running.' };
    default:
      break;
  }
  // Nobody here disposed it: isolated-vm disposes an isolate itself only when it hits its memory limit.
  if (state.isDisposed) {
    return { code: 'memory_limit_exceeded', message: `The plugin used more than ${state.memoryMb} MB of memory.` };
  }
  const text = errorText(err);
  if (state.elapsedMs >= state.timeoutMs || text === TIMED_OUT_TEXT) {
    return { code: 'execution_timeout', message: `The plugin did not finish within ${state.timeoutMs} ms.` };
  }
  const stack = typeof err === 'object' && err !== null ? pluginFramesOf((err as { stack?: unknown }).stack) : '';
  return { code: 'plugin_error', message: sanitizeMessage(text) || 'The plugin failed to load.', ...(stack !== '' && { stack }) };
}

/**
 * isolated-vm refuses ArrayBuffer allocations that would cross the limit (the
 * plugin sees a catchable RangeError) and the V8 heap stops short of it, so an
 * isolate found this close to its limit has run out of memory, whatever it
 * did next (caught the error and kept going, or failed with it).
 */
const MEMORY_EXHAUSTED_RATIO = 0.95;

export function isMemoryExhausted(bytes: number, memoryMb: number): boolean {
  return bytes >= memoryMb * 1024 * 1024 * MEMORY_EXHAUSTED_RATIO;
}

/** Past this share of its limit, a heap that also ran out of time was out of memory (V8 was collecting, not running). */
const MEMORY_PRESSURE_RATIO = 0.8;

export function isUnderMemoryPressure(bytes: number, memoryMb: number): boolean {
  return bytes >= memoryMb * 1024 * 1024 * MEMORY_PRESSURE_RATIO;
}

/** V8's text when an ArrayBuffer's backing store is refused (isolated-vm refuses those past the limit). */
const ALLOCATION_REFUSED_TEXT = 'RangeError: Array buffer allocation failed';

/** Whether a plugin_error envelope (`kind\nlogs\nstack\nmessage`) reports an allocation the memory limit refused. */
export function isAllocationRefusal(envelope: string): boolean {
  const stackStart = envelope.indexOf('\n', envelope.indexOf('\n') + 1) + 1;
  const messageStart = stackStart > 0 ? envelope.indexOf('\n', stackStart) + 1 : 0;
  return messageStart > 0 && envelope.startsWith(ALLOCATION_REFUSED_TEXT, messageStart);
}

/** The answer for executions that were in flight on a worker process that died. */
export function workerCrashFailure(timedOut: boolean, timeoutMs: number): EngineFailure {
  return timedOut
    ? { code: 'execution_timeout', message: `The plugin did not finish within ${timeoutMs} ms; its sandbox was stopped.` }
    : { code: 'sandbox_crashed', message: 'The sandbox process crashed while running the plugin.' };
}
