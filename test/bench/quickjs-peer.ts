/**
 * The peer a user would pick instead of isolated-vm: quickjs-emscripten, a
 * WebAssembly sandbox. The benchmark runs the same plugins on it (dev dependency,
 * used only here).
 */
import { getQuickJS, type QuickJSContext, type QuickJSHandle, type QuickJSWASMModule } from 'quickjs-emscripten';
import type { BenchPlugin } from './bench-plugins.js';

/** Calls an export with JSON in and JSON out, so only strings cross, as in Bazaar. */
const CALL_SHIM = `globalThis.__bazaarCall = (exports, name, json, configJson) => {
  const logs = [];
  const ctx = { config: JSON.parse(configJson), log: (...args) => { logs.push(args.join(' ')); }, execution: { id: 'bench', action: name } };
  const result = exports[name](JSON.parse(json), ctx);
  return result instanceof Promise ? result.then((v) => JSON.stringify(v)) : JSON.stringify(result);
};`;

let module: QuickJSWASMModule | undefined;

export async function loadQuickJS(): Promise<QuickJSWASMModule> {
  module ??= await getQuickJS();
  return module;
}

/** A warm QuickJS context holding the evaluated plugin module. */
export class QuickJSInstance {
  #context: QuickJSContext;
  #exports: QuickJSHandle;
  #call: QuickJSHandle;
  #action: QuickJSHandle;
  #config: QuickJSHandle;

  constructor(quickjs: QuickJSWASMModule, plugin: BenchPlugin, memoryMb = 32) {
    const runtime = quickjs.newRuntime();
    runtime.setMemoryLimit(memoryMb * 1024 * 1024);
    this.#context = runtime.newContext();
    this.#context.unwrapResult(this.#context.evalCode(CALL_SHIM, 'shim.js', { type: 'global' })).dispose();
    this.#exports = this.#context.unwrapResult(this.#context.evalCode(plugin.source, plugin.main, { type: 'module' }));
    runtime.executePendingJobs();
    this.#call = this.#context.getProp(this.#context.global, '__bazaarCall');
    this.#action = this.#context.newString(plugin.action);
    this.#config = this.#context.newString(JSON.stringify(plugin.config));
  }

  run(input: unknown): unknown {
    const context = this.#context;
    const json = context.newString(JSON.stringify(input));
    try {
      const handle = context.unwrapResult(context.callFunction(this.#call, context.undefined, this.#exports, this.#action, json, this.#config));
      try {
        const state = context.getPromiseState(handle);
        if (state.type === 'pending') {
          context.runtime.executePendingJobs();
          return this.#settled(context.getPromiseState(handle));
        }
        if (state.type === 'fulfilled' && !state.notAPromise) return this.#settled(state);
        return JSON.parse(context.getString(handle));
      } finally {
        handle.dispose();
      }
    } finally {
      json.dispose();
    }
  }

  #settled(state: ReturnType<QuickJSContext['getPromiseState']>): unknown {
    if (state.type !== 'fulfilled') throw new Error(`QuickJS promise ${state.type}`);
    try {
      return JSON.parse(this.#context.getString(state.value));
    } finally {
      state.value.dispose();
    }
  }

  dispose(): void {
    for (const handle of [this.#config, this.#action, this.#call, this.#exports]) handle.dispose();
    const runtime = this.#context.runtime;
    this.#context.dispose();
    runtime.dispose();
  }
}
