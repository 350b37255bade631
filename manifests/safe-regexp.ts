/**
 * The `pattern` engine for every JSON Schema a plugin ships (action input and
 * output, config): RE2 semantics through re2js, which matches in linear time.
 * With JavaScript's backtracking RegExp, a publisher could declare
 * `"pattern": "(a+)+$"` and stall the host's event loop on every execution
 * that validates a crafted input or output (ReDoS). Patterns RE2 cannot express
 * (backreferences, lookaround) fail when the schema is compiled, so they are
 * refused at publish as `invalid_manifest`.
 */
import type { RegExpEngine } from 'ajv/dist/types/index.js';
import { RE2JS } from 're2js';

function compileSafe(pattern: string): { test(text: string): boolean } {
  const re = RE2JS.compile(RE2JS.translateRegExp(pattern));
  return { test: (text: string) => re.matcher(text).find() };
}

/** ajv's `code.regExp` option; `code` names it for ajv's standalone mode, which Bazaar does not use. */
export const safeRegExp: RegExpEngine = Object.assign(compileSafe, { code: 'safeRegExp' });
