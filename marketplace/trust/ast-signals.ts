/**
 * Walks one parsed file (acorn ESTree) with acorn-walk and reports what the
 * trust rules look for: dangerous APIs, escape patterns, global tampering,
 * imports and exports, and the binding names the minification heuristics need.
 *
 * The walk is syntactic: a local variable named `eval` is still reported. That
 * is deliberate; shadowing a dangerous global is itself a smell, and a
 * reviewer reads the evidence.
 */
import type * as acorn from 'acorn';
import * as walk from 'acorn-walk';
import type { CodeRuleId } from './code-rules.js';

export interface RuleMatch {
  readonly rule: CodeRuleId;
  readonly line: number | null;
  readonly detail?: string;
}

export interface AstSignals {
  readonly matches: RuleMatch[];
  /** Names introduced by declarations, parameters and patterns. */
  readonly bindings: string[];
  /** Static import / re-export specifiers. */
  readonly imports: string[];
  /** Names exported by this file (`default` included). */
  readonly exports: string[];
  /** Sources of `export * from '...'`. */
  readonly starExports: string[];
  /** Escape sequences (\xNN, \uNNNN) in string literals, and how many literals are mostly escapes. */
  readonly escapes: { readonly total: number; readonly mostlyEscapedLiterals: number };
}

const GLOBAL_NAMES = new Set(['globalThis', 'self', 'global', 'window']);
const HOST_NAMES = new Set(['process', 'require', 'module', '__dirname', '__filename', 'Deno', 'Bun']);
const BUILTIN_CONSTRUCTORS = new Set([
  'Object', 'Array', 'Function', 'String', 'Number', 'Boolean', 'Symbol', 'Promise', 'RegExp', 'Date',
  'Map', 'Set', 'WeakMap', 'WeakSet', 'Error', 'JSON', 'Math', 'BigInt', 'Reflect',
]);
const IDENTIFIER_RULES: Record<string, CodeRuleId> = {
  eval: 'eval',
  Proxy: 'proxy',
  Reflect: 'reflect',
  WebAssembly: 'webassembly',
  SharedArrayBuffer: 'shared-memory',
  Atomics: 'shared-memory',
};
/** Calls that change a prototype chain or define properties on their first argument. */
const DEFINING_CALLS = new Set(['defineProperty', 'defineProperties', 'assign', 'setPrototypeOf', 'set', 'deleteProperty', '__defineGetter__', '__defineSetter__']);
const ESCAPE = /\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|u\{[0-9a-fA-F]+\})/g;

/** The static name of a member access: `a.b` and `a['b']` both give `b`. */
function propertyName(node: acorn.MemberExpression): string | undefined {
  const p = node.property;
  if (!node.computed && p.type === 'Identifier') return p.name;
  if (p.type === 'Literal' && typeof p.value === 'string') return p.value;
  if (p.type === 'TemplateLiteral' && p.expressions.length === 0) return p.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

function identifierName(node: acorn.Node | null | undefined): string | undefined {
  return node?.type === 'Identifier' ? (node as acorn.Identifier).name : undefined;
}

/** `globalThis.x`, `self['x']`, ...: the object is the global object. */
function isGlobalMember(node: acorn.Node): boolean {
  return node.type === 'MemberExpression' && GLOBAL_NAMES.has(identifierName((node as acorn.MemberExpression).object) ?? '');
}

/** `Array.prototype.x` or `Object.prototype['x']`. */
function isBuiltinPrototypeMember(node: acorn.Node): boolean {
  if (node.type !== 'MemberExpression') return false;
  const obj = (node as acorn.MemberExpression).object;
  return (
    obj.type === 'MemberExpression' &&
    propertyName(obj) === 'prototype' &&
    BUILTIN_CONSTRUCTORS.has(identifierName(obj.object) ?? '')
  );
}

function exportedName(node: acorn.Identifier | acorn.Literal): string {
  return node.type === 'Identifier' ? node.name : String(node.value);
}

function declaredNames(decl: acorn.Declaration): string[] {
  if (decl.type === 'VariableDeclaration') {
    return decl.declarations.flatMap((d) => (d.id.type === 'Identifier' ? [d.id.name] : []));
  }
  return decl.id ? [decl.id.name] : [];
}

/** Collects the signals of one program. */
export function collectSignals(program: acorn.Program): AstSignals {
  const matches: RuleMatch[] = [];
  const bindings: string[] = [];
  const imports: string[] = [];
  const exports: string[] = [];
  const starExports: string[] = [];
  const escapes = { total: 0, mostlyEscapedLiterals: 0 };
  const hit = (rule: CodeRuleId, node: acorn.Node, detail?: string): void => {
    matches.push({ rule, line: node.loc?.start.line ?? null, ...(detail ? { detail } : {}) });
  };
  const countEscapes = (raw: string, cookedLength: number): void => {
    const n = raw.match(ESCAPE)?.length ?? 0;
    escapes.total += n;
    if (n >= 4 && n * 2 >= cookedLength) escapes.mostlyEscapedLiterals++;
  };

  walk.full(program, (node, _state, type) => {
    if (type === 'VariablePattern' && node.type === 'Identifier') {
      bindings.push(node.name);
      return;
    }
    switch (node.type) {
      case 'Identifier': {
        const rule = IDENTIFIER_RULES[node.name];
        if (rule) hit(rule, node, node.name);
        else if (GLOBAL_NAMES.has(node.name)) hit('global-access', node, node.name);
        else if (HOST_NAMES.has(node.name)) hit('host-probe', node, node.name);
        break;
      }
      case 'MemberExpression': {
        const name = propertyName(node);
        if (name === '__proto__') hit('proto-access', node);
        if (name === 'constructor') {
          const obj = node.object;
          const chained = obj.type === 'MemberExpression' && propertyName(obj) === 'constructor';
          const onFunction = obj.type === 'FunctionExpression' || obj.type === 'ArrowFunctionExpression';
          if (chained || onFunction) hit('constructor-chain', node);
        }
        if (name && IDENTIFIER_RULES[name] && isGlobalMember(node)) hit(IDENTIFIER_RULES[name]!, node, name);
        break;
      }
      case 'Property':
        if (!node.computed && (identifierName(node.key) ?? (node.key as acorn.Literal).value) === '__proto__') hit('proto-access', node);
        break;
      case 'CallExpression':
      case 'NewExpression': {
        const callee = node.callee;
        const name = identifierName(callee) ?? (callee.type === 'MemberExpression' && isGlobalMember(callee) ? propertyName(callee) : undefined);
        if (name === 'Function') hit('function-constructor', node);
        if (callee.type === 'MemberExpression' && DEFINING_CALLS.has(propertyName(callee) ?? '')) {
          const target = node.arguments[0];
          const owner = identifierName(callee.object);
          if (target && GLOBAL_NAMES.has(identifierName(target) ?? '')) hit('global-tampering', node, `${owner}.${propertyName(callee)}`);
          else if (propertyName(callee) === 'setPrototypeOf' || (target && isBuiltinPrototypeOf(target))) {
            hit('prototype-tampering', node, `${owner}.${propertyName(callee)}`);
          }
        }
        break;
      }
      case 'AssignmentExpression':
      case 'UnaryExpression': {
        const target = node.type === 'AssignmentExpression' ? node.left : node.operator === 'delete' ? node.argument : undefined;
        if (!target) break;
        if (isGlobalMember(target)) hit('global-tampering', node);
        else if (isBuiltinPrototypeMember(target)) hit('prototype-tampering', node);
        break;
      }
      case 'ImportExpression':
        hit('dynamic-import', node);
        break;
      case 'ImportDeclaration':
        imports.push(String(node.source.value));
        break;
      case 'ExportNamedDeclaration':
        if (node.source) imports.push(String(node.source.value));
        if (node.declaration) exports.push(...declaredNames(node.declaration));
        for (const s of node.specifiers) exports.push(exportedName(s.exported));
        break;
      case 'ExportAllDeclaration':
        imports.push(String(node.source.value));
        if (node.exported) exports.push(exportedName(node.exported));
        else starExports.push(String(node.source.value));
        break;
      case 'ExportDefaultDeclaration':
        exports.push('default');
        break;
      case 'WithStatement':
        hit('with-statement', node);
        break;
      case 'Literal':
        if (typeof node.value === 'string' && node.raw) countEscapes(node.raw, node.value.length);
        break;
      case 'TemplateElement':
        countEscapes(node.value.raw, node.value.cooked?.length ?? node.value.raw.length);
        break;
    }
  });
  return { matches, bindings, imports, exports, starExports, escapes };
}

/** `Object.prototype` / `Array.prototype` as an argument. */
function isBuiltinPrototypeOf(node: acorn.Node): boolean {
  return (
    node.type === 'MemberExpression' &&
    propertyName(node as acorn.MemberExpression) === 'prototype' &&
    BUILTIN_CONSTRUCTORS.has(identifierName((node as acorn.MemberExpression).object) ?? '')
  );
}
