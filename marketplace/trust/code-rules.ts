/**
 * The static-analysis rules: for each, its severity and how many points it
 * takes from code quality and from security. A rule counts once per package,
 * however often it matches, so one noisy file cannot sink a score twice; the
 * evidence still lists where it matched.
 */
import type { Severity } from './trust-report.js';

export interface CodeRule {
  readonly severity: Severity;
  readonly codeQuality: number;
  readonly security: number;
  readonly message: string;
}

export const CODE_RULES = {
  'parse-error': { severity: 'critical', codeQuality: -70, security: 0, message: 'does not parse as an ES module, so it can never run' },
  'with-statement': { severity: 'critical', codeQuality: -70, security: -10, message: 'uses `with`, a syntax error in (strict) module code' },
  eval: { severity: 'high', codeQuality: -15, security: -35, message: 'uses eval' },
  'function-constructor': { severity: 'high', codeQuality: -15, security: -35, message: 'builds code at run time with Function(...)' },
  'constructor-chain': { severity: 'critical', codeQuality: 0, security: -60, message: 'reaches Function through .constructor.constructor, a classic sandbox escape' },
  'proto-access': { severity: 'medium', codeQuality: -5, security: -15, message: 'touches __proto__' },
  'prototype-tampering': { severity: 'high', codeQuality: -10, security: -30, message: 'modifies a built-in prototype or an object prototype chain' },
  'global-tampering': { severity: 'high', codeQuality: -5, security: -30, message: 'writes to or redefines properties of the global object' },
  'global-access': { severity: 'low', codeQuality: 0, security: -5, message: 'reads the global object (globalThis/self/global)' },
  proxy: { severity: 'low', codeQuality: 0, security: -5, message: 'uses Proxy' },
  reflect: { severity: 'low', codeQuality: 0, security: -5, message: 'uses Reflect' },
  webassembly: { severity: 'high', codeQuality: 0, security: -25, message: 'uses WebAssembly, which static analysis cannot inspect' },
  'shared-memory': { severity: 'medium', codeQuality: 0, security: -15, message: 'uses SharedArrayBuffer/Atomics (timing side channels)' },
  'dynamic-import': { severity: 'medium', codeQuality: -5, security: -15, message: 'uses dynamic import()' },
  'forbidden-import': { severity: 'high', codeQuality: -20, security: -20, message: 'imports a bare, node: or URL specifier, which the sandbox refuses' },
  'unresolved-import': { severity: 'medium', codeQuality: -20, security: 0, message: 'imports a relative file that is not in the package' },
  'host-probe': { severity: 'medium', codeQuality: 0, security: -10, message: 'probes for host objects (process, require, module)' },
  'escaped-strings': { severity: 'medium', codeQuality: -10, security: -10, message: 'hides string contents behind \\x/\\u escapes' },
  minified: { severity: 'low', codeQuality: -15, security: 0, message: 'is minified without a source map' },
  obfuscated: { severity: 'high', codeQuality: -30, security: -20, message: 'has obfuscated identifiers (e.g. _0x1a2b) without a source map' },
  'large-source': { severity: 'low', codeQuality: -10, security: 0, message: 'is a very large source file (over 256 KiB)' },
  'missing-main': { severity: 'critical', codeQuality: -70, security: 0, message: 'the manifest’s main file is not in the package' },
  'missing-action-export': { severity: 'high', codeQuality: -30, security: 0, message: 'does not export a function for a declared action' },
  'known-bad-hash': { severity: 'critical', codeQuality: 0, security: -100, message: 'matches a hash on the operator’s deny-list' },
} as const satisfies Record<string, CodeRule>;

export type CodeRuleId = keyof typeof CODE_RULES;

/** Severities in rising order, for sorting findings. */
export const SEVERITY_RANK = { info: 0, low: 1, medium: 2, high: 3, critical: 4 } as const;
