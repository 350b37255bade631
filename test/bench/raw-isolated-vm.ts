/**
 * Baselines: the same plugin run on bare isolated-vm in this process, with no
 * pool, no worker process, no ctx and no limits bookkeeping. What Bazaar adds on
 * top is measured against these.
 */
import ivm from 'isolated-vm';
import type { BenchPlugin } from './bench-plugins.js';

/** A warm isolate with the plugin's action as a Reference, called by `Reference.apply`. */
export class RawWarmInstance {
  #isolate: ivm.Isolate;
  #action!: ivm.Reference;

  private constructor(isolate: ivm.Isolate) {
    this.#isolate = isolate;
  }

  static async create(plugin: BenchPlugin, memoryMb = 32): Promise<RawWarmInstance> {
    const instance = new RawWarmInstance(new ivm.Isolate({ memoryLimit: memoryMb }));
    instance.#action = await loadAction(instance.#isolate, plugin);
    return instance;
  }

  async run(input: unknown): Promise<unknown> {
    return this.#action.apply(undefined, [input], {
      arguments: { copy: true },
      result: { promise: true, copy: true },
      timeout: 1000,
    });
  }

  dispose(): void {
    this.#isolate.dispose();
  }
}

/** A new Isolate, context, compiled module and one call: raw cold start. */
export async function rawColdRun(plugin: BenchPlugin, input: unknown, memoryMb = 32): Promise<unknown> {
  const isolate = new ivm.Isolate({ memoryLimit: memoryMb });
  try {
    const action = await loadAction(isolate, plugin);
    return await action.apply(undefined, [input], {
      arguments: { copy: true },
      result: { promise: true, copy: true },
      timeout: 1000,
    });
  } finally {
    isolate.dispose();
  }
}

async function loadAction(isolate: ivm.Isolate, plugin: BenchPlugin): Promise<ivm.Reference> {
  const context = await isolate.createContext();
  const module = await isolate.compileModule(plugin.source, { filename: plugin.main });
  await module.instantiate(context, () => {
    throw new Error('bench plugins are single-module');
  });
  await module.evaluate({ timeout: 1000 });
  // The same ctx shape a plugin sees in Bazaar (config, log, execution), built
  // inside the isolate so the baseline pays for it too.
  await context.global.set('__action', await module.namespace.get(plugin.action, { reference: true }).then((r) => r.derefInto()));
  const config = JSON.stringify(plugin.config);
  const wrapper = await isolate.compileScript(
    `(function (input) { const logs = []; return __action(input, { config: ${config}, ` +
      `log: (...args) => { logs.push(args.join(' ')); }, execution: { id: 'bench', action: '${plugin.action}' } }); })`,
  );
  return wrapper.run(context, { reference: true });
}
