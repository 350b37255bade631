/**
 * Fresh sandboxes (isolate + context + prelude) created ahead of need, so that
 * a cold install only compiles and runs its own code: creating an isolate and
 * a context costs a few milliseconds, compiling a small module a fraction of one.
 * Spares are kept per memory size, because an isolate's memoryLimit is fixed
 * at creation.
 */
import ivm from 'isolated-vm';
import { BRIDGE_FETCH, BRIDGE_KV, type HostCall, type InvokeArgs, type PreludeApi } from './sandbox-contract.js';
import { PRELUDE_FILENAME, PRELUDE_SOURCE } from './sandbox-prelude.js';

/** Called by the prelude when plugin code calls ctx.kv.* or ctx.fetch. */
export type BridgeSink = (call: HostCall) => void;

/** Called by the prelude with each log line it keeps (null once, when it starts dropping them). */
export type LogSink = (token: number, line: string | null) => void;

/** One isolate with a prepared context; owned by exactly one PluginInstance once taken. */
export interface FreshSandbox {
  readonly isolate: ivm.Isolate;
  readonly context: ivm.Context;
  readonly memoryMb: number;
  readonly load: ivm.Reference<PreludeApi['load']>;
  /** Answers the envelope string, or a promise of it; applied with `result: { promise: true }`. */
  readonly invoke: ivm.Reference<PreludeApi['invoke']>;
  readonly settle: ivm.Reference<PreludeApi['settle']>;
  readonly takeLogs: ivm.Reference<PreludeApi['takeLogs']>;
  /** Where bridge calls go; set by the owner. */
  sink: BridgeSink | undefined;
  /** Where log lines go as they are written; set by the owner. */
  logSink: LogSink | undefined;
}

export interface IsolatePoolOptions {
  readonly spares: number;
  /** Invoked from isolated-vm when V8 has lost control of an isolate. */
  readonly onCatastrophicError: (message: string) => void;
}

/**
 * Runs a tiny action through the whole path once, so V8 has compiled the
 * prelude's functions and set up the module machinery before a real plugin
 * arrives: this roughly halves a cold install's first execution.
 */
async function warmUp(
  isolate: ivm.Isolate,
  context: ivm.Context,
  load: ivm.Reference<PreludeApi['load']>,
  invoke: ivm.Reference<PreludeApi['invoke']>,
): Promise<void> {
  const module = isolate.compileModuleSync(
    'export function warm(input, ctx) { ctx.log("warm", input); return { input }; }',
    { filename: 'bazaar:warm-up' },
  );
  module.instantiateSync(context, () => {
    throw new Error('the warm-up module has no imports');
  });
  await module.evaluate({ timeout: 1000 });
  // The same call as a plugin's first execution: the namespace travels with the invoke.
  const args: InvokeArgs = {
    token: 0, action: 'warm', input: '{"n":1}', config: '{}', execId: 'warm-up',
    maxOutputBytes: 1024, maxLogLines: 10, maxLogBytes: 1024, bridge: BRIDGE_KV | BRIDGE_FETCH,
  };
  await invoke.apply(undefined, [args, module.namespace.derefInto()], {
    arguments: { copy: true },
    result: { promise: true, copy: true },
    timeout: 1000,
  });
  // Forget the warm-up module: the sandbox's owner hands in its own namespace on first use.
  await load.apply(undefined, [null], { timeout: 1000 });
  module.release();
}

export async function createFreshSandbox(memoryMb: number, onCatastrophicError: (message: string) => void): Promise<FreshSandbox> {
  const isolate = new ivm.Isolate({ memoryLimit: memoryMb, onCatastrophicError });
  try {
    const context = await isolate.createContext();
    const box: { sink: BridgeSink | undefined; logSink: LogSink | undefined } = { sink: undefined, logSink: undefined };
    // "ignored": the isolate does not wait for the host; the HostCall arrives as a copy.
    const send = new ivm.Callback((call: HostCall) => box.sink?.(call), { ignored: true });
    const sendLog = new ivm.Callback((token: number, line: string | null) => box.logSink?.(token, line), { ignored: true });
    const api = (await context.evalClosure(PRELUDE_SOURCE, [send, sendLog], {
      filename: PRELUDE_FILENAME,
      timeout: 2000,
      result: { reference: true },
    })) as ivm.Reference<Record<string, unknown>>;
    const get = <K extends keyof PreludeApi>(name: K) => api.get(name, { reference: true }) as Promise<ivm.Reference<PreludeApi[K]>>;
    const [load, invoke, settle, takeLogs] = await Promise.all([get('load'), get('invoke'), get('settle'), get('takeLogs')]);
    api.release();
    await warmUp(isolate, context, load, invoke);
    const sandbox: FreshSandbox = {
      isolate, context, memoryMb, load, invoke, settle, takeLogs,
      get sink() { return box.sink; },
      set sink(fn) { box.sink = fn; },
      get logSink() { return box.logSink; },
      set logSink(fn) { box.logSink = fn; },
    };
    return sandbox;
  } catch (err) {
    if (!isolate.isDisposed) isolate.dispose();
    throw err;
  }
}

export class IsolatePool {
  readonly #options: IsolatePoolOptions;
  readonly #spares = new Map<number, FreshSandbox[]>();
  readonly #filling = new Set<number>();
  #closed = false;

  constructor(options: IsolatePoolOptions) {
    this.#options = options;
  }

  get size(): number {
    let n = 0;
    for (const list of this.#spares.values()) n += list.length;
    return n;
  }

  /** A fresh sandbox of that size: a spare if there is one, else a new one. The owner calls fill() later. */
  async take(memoryMb: number): Promise<FreshSandbox> {
    return this.#spares.get(memoryMb)?.pop() ?? createFreshSandbox(memoryMb, this.#options.onCatastrophicError);
  }

  /**
   * Tops up the spares of one size, one at a time. Call it once the execution
   * that took a spare has answered: creating an isolate runs partly on this
   * thread, and doing it during a cold execution would slow that execution down.
   */
  fill(memoryMb: number): void {
    if (this.#closed || this.#filling.has(memoryMb) || this.#options.spares <= 0) return;
    // Called after every execution; most find the spares full, and need no timer for that.
    if ((this.#spares.get(memoryMb)?.length ?? 0) >= this.#options.spares) return;
    this.#filling.add(memoryMb);
    const step = async (): Promise<void> => {
      const list = this.#spares.get(memoryMb) ?? [];
      this.#spares.set(memoryMb, list);
      while (!this.#closed && list.length < this.#options.spares) {
        const sandbox = await createFreshSandbox(memoryMb, this.#options.onCatastrophicError);
        if (this.#closed) sandbox.isolate.dispose();
        else list.push(sandbox);
      }
    };
    setImmediate(() => {
      step()
        .catch((err: unknown) => process.stderr.write(`[sandbox-worker] spare isolate failed: ${String(err)}\n`))
        .finally(() => this.#filling.delete(memoryMb));
    });
  }

  close(): void {
    this.#closed = true;
    for (const list of this.#spares.values()) {
      for (const sandbox of list) if (!sandbox.isolate.isDisposed) sandbox.isolate.dispose();
    }
    this.#spares.clear();
  }
}
