/**
 * Loads a plugin package as ES modules inside one isolate: `main` plus the
 * package's own files, reached by relative specifiers only. Every specifier of
 * the whole graph is checked before anything is instantiated, so a bad import
 * is a clear `plugin_error` rather than an engine failure half-way through.
 */
import ivm from 'isolated-vm';
import { posix } from 'node:path';
import type { PluginCode } from './types.js';

/** A package that cannot be loaded as written (the plugin's fault). */
export class ModuleLoadError extends Error {
  override readonly name = 'ModuleLoadError';
}

/**
 * Resolves `specifier` imported from package file `referrer` to a key of
 * `files`, or throws ModuleLoadError. Only `./` and `../` specifiers that stay
 * inside the package are accepted.
 */
export function resolveSpecifier(specifier: string, referrer: string, files: Readonly<Record<string, string>>): string {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) {
    const kind = /^[a-z][a-z0-9+.-]*:/i.test(specifier)
      ? 'URL and node: imports are not allowed'
      : specifier.startsWith('/')
        ? 'absolute paths are not allowed'
        : 'bare package specifiers are not allowed (bundle dependencies into the package)';
    throw new ModuleLoadError(`Cannot import "${specifier}" from "${referrer}": ${kind}.`);
  }
  const joined = posix.normalize(posix.join(posix.dirname(referrer), specifier));
  if (joined.startsWith('../') || joined === '..' || posix.isAbsolute(joined)) {
    throw new ModuleLoadError(`Cannot import "${specifier}" from "${referrer}": it points outside the package.`);
  }
  if (!Object.prototype.hasOwnProperty.call(files, joined)) {
    throw new ModuleLoadError(`Cannot import "${specifier}" from "${referrer}": no file "${joined}" in the package.`);
  }
  return joined;
}

/**
 * Compiled modules of one isolate, by `sha256:path`. A Module belongs to the
 * isolate that compiled it, so the cache lives and dies with the instance.
 * Code is always compiled from source: cachedData is never produced from or
 * accepted with uploads.
 */
export class ModuleLoader {
  readonly #isolate: ivm.Isolate;
  readonly #modules = new Map<string, ivm.Module>();
  readonly #paths = new Map<ivm.Module, string>();

  constructor(isolate: ivm.Isolate) {
    this.#isolate = isolate;
  }

  /**
   * Compiles the whole graph reachable from `main` and instantiates it in `context`.
   * Synchronous on purpose: no plugin code runs while compiling or linking, the
   * isolate is idle (fresh or between executions), and each async hop to the
   * isolate thread costs more than compiling a typical plugin file.
   */
  link(code: PluginCode, context: ivm.Context): ivm.Module {
    if (!Object.prototype.hasOwnProperty.call(code.files, code.main)) {
      throw new ModuleLoadError(`The entry module "${code.main}" is not in the package.`);
    }
    const main = this.#compileGraph(code);
    main.instantiateSync(context, (specifier, referrer) => {
      const from = this.#paths.get(referrer) ?? code.main;
      // Every edge was resolved in #compileGraph, so this lookup cannot miss.
      const target = this.#modules.get(`${code.sha256}:${resolveSpecifier(specifier, from, code.files)}`);
      if (target === undefined) throw new ModuleLoadError(`Cannot resolve "${specifier}".`);
      return target;
    });
    return main;
  }

  #compileGraph(code: PluginCode): ivm.Module {
    const queue = [code.main];
    for (let i = 0; i < queue.length; i++) {
      const path = queue[i] as string;
      const key = `${code.sha256}:${path}`;
      let module = this.#modules.get(key);
      if (module === undefined) {
        // A URL-shaped filename keeps stack traces readable and free of host paths.
        module = this.#isolate.compileModuleSync(code.files[path] as string, { filename: `plugin:///${path}` });
        this.#modules.set(key, module);
        this.#paths.set(module, path);
      }
      for (const specifier of module.dependencySpecifiers) {
        const target = resolveSpecifier(specifier, path, code.files);
        if (!queue.includes(target)) queue.push(target);
      }
    }
    return this.#modules.get(`${code.sha256}:${code.main}`) as ivm.Module;
  }

  release(): void {
    for (const module of this.#modules.values()) {
      try {
        module.release();
      } catch {
        // Already gone with a disposed isolate.
      }
    }
    this.#modules.clear();
    this.#paths.clear();
  }
}
