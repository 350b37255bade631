/**
 * Publish-time check of the module graph (docs/plugins.md "The code contract"):
 * every module reachable from `main` imports only other files of the package,
 * with relative specifiers. The sandbox would refuse the rest at run time
 * anyway; refusing at upload tells the author at once instead of on a tenant's
 * first execution. A module that does not parse is left to the trust score
 * ("bundle parses") and to the runtime: this check judges imports, not syntax.
 */
import { parse, type Node } from 'acorn';
import { simple } from 'acorn-walk';
import path from 'node:path';
import { BazaarError } from '../manifests/errors.js';

const MODULE_EXTENSIONS = /\.m?js$/;

interface ImportSite {
  specifier: string;
}

function sourceOf(node: Node): string | undefined {
  const source = (node as Node & { source?: { type: string; value?: unknown } | null }).source;
  return source?.type === 'Literal' && typeof source.value === 'string' ? source.value : undefined;
}

/** Static imports, re-exports and `import("literal")`; undefined when the module does not parse. */
function importsOf(code: string): ImportSite[] | undefined {
  let program: Node;
  try {
    program = parse(code, { ecmaVersion: 'latest', sourceType: 'module' });
  } catch {
    return undefined;
  }
  const sites: ImportSite[] = [];
  const collect = (node: Node): void => {
    const specifier = sourceOf(node);
    if (specifier !== undefined) sites.push({ specifier });
  };
  simple(program, {
    ImportDeclaration: collect,
    ExportNamedDeclaration: collect,
    ExportAllDeclaration: collect,
    ImportExpression: collect,
  });
  return sites;
}

/** Resolves a relative specifier against the importing file; undefined when it leaves the package. */
export function resolveRelativeImport(importer: string, specifier: string): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(importer), specifier));
  return resolved.startsWith('../') || resolved === '..' ? undefined : resolved;
}

/**
 * Walks the import graph from `main` and throws `invalid_package` naming the
 * module and specifier that is bare, leaves the package or names no file.
 */
export function checkModuleImports(files: Readonly<Record<string, string>>, main: string): void {
  const seen = new Set<string>([main]);
  const queue = [main];
  for (let module = queue.shift(); module !== undefined; module = queue.shift()) {
    const code = files[module];
    if (code === undefined || !MODULE_EXTENSIONS.test(module)) continue;
    for (const { specifier } of importsOf(code) ?? []) {
      if (!specifier.startsWith('./') && !specifier.startsWith('../')) {
        throw new BazaarError(
          'invalid_package',
          `module "${module}" imports "${specifier}": only relative imports of the package's own files are allowed`,
        );
      }
      const target = resolveRelativeImport(module, specifier);
      if (target === undefined) {
        throw new BazaarError('invalid_package', `module "${module}" imports "${specifier}", which is outside the package`);
      }
      if (files[target] === undefined) {
        throw new BazaarError('invalid_package', `module "${module}" imports "${specifier}", but "${target}" is not a file of the package`);
      }
      if (!seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
}
