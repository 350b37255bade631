/**
 * Static analysis of a package's JavaScript with acorn: does each file parse as
 * an ES module, how big is it, does it look minified or obfuscated (without a
 * source map), what dangerous patterns does it use (ast-signals.ts), do its
 * imports resolve inside the package, and does `main` export every declared
 * action. The result is stored with the version, so the trust score can be
 * recomputed later without re-reading the package.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import * as acorn from 'acorn';
import type { PluginManifest } from '../../manifests/plugin-manifest.schema.js';
import { collectSignals, type AstSignals, type RuleMatch } from './ast-signals.js';
import { CODE_RULES, SEVERITY_RANK, type CodeRuleId } from './code-rules.js';
import type { Finding } from './trust-report.js';

export interface FileMetrics {
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly lines: number;
  readonly longestLine: number;
  readonly parsed: boolean;
  /** Distinct binding names and the share of those 1–2 characters long (a minifier's signature). */
  readonly distinctBindings: number;
  readonly shortBindingRatio: number;
}

export interface CodeAnalysis {
  readonly files: FileMetrics[];
  readonly findings: Finding[];
  readonly sourceBytes: number;
  readonly hasSourceMap: boolean;
  /** Names `main` exports (following `export *`), or null when main did not parse. */
  readonly mainExports: string[] | null;
}

/** Heuristic thresholds, named so the evidence can quote them. */
export const ANALYSIS_THRESHOLDS = Object.freeze({
  largeSourceBytes: 256 * 1024,
  minifiedLineLength: 1000,
  minBindingsForRatio: 20,
  shortBindingRatio: 0.6,
  hexIdentifiers: 5,
  escapedLiterals: 3,
  maxLocationsPerRule: 5,
});

const SCRIPT_FILE = /\.(m?js|cjs)$/;
const HEX_IDENTIFIER = /^_0x[0-9a-f]{3,}$/i;
const SOURCE_MAP_COMMENT = /\/[/*][#@] sourceMappingURL=/;

interface ParsedFile {
  readonly metrics: FileMetrics;
  readonly signals: AstSignals | null;
}

/** Analyses every JavaScript file of a package. */
export function analyzeCode(files: Readonly<Record<string, string>>, manifest: PluginManifest): CodeAnalysis {
  const paths = Object.keys(files).sort();
  const hasSourceMap = paths.some((p) => p.endsWith('.map')) || paths.some((p) => SOURCE_MAP_COMMENT.test(files[p]!));
  const matches: (RuleMatch & { file: string })[] = [];
  const parsed = new Map<string, ParsedFile>();
  for (const path of paths.filter((p) => SCRIPT_FILE.test(p))) {
    const file = parseFile(path, files[path]!);
    parsed.set(path, file);
    const add = (m: RuleMatch): void => void matches.push({ ...m, file: path });
    file.signals?.matches.forEach(add);
    if (!file.metrics.parsed && !file.signals?.matches.some((m) => m.rule === 'with-statement')) add({ rule: 'parse-error', line: null });
    if (file.signals) heuristics(file, hasSourceMap, files).forEach(add);
  }
  if (!(manifest.main in files)) matches.push({ rule: 'missing-main', line: null, file: manifest.main });
  const mainExports = parsed.get(manifest.main)?.signals ? exportsOf(manifest.main, parsed, new Set()) : null;
  if (mainExports && parsed.get(manifest.main)?.metrics.parsed) {
    for (const action of Object.keys(manifest.actions)) {
      if (!mainExports.includes(action)) matches.push({ rule: 'missing-action-export', line: null, file: manifest.main, detail: action });
    }
  }
  return {
    files: [...parsed.values()].map((f) => f.metrics),
    findings: toFindings(matches),
    sourceBytes: [...parsed.values()].reduce((n, f) => n + f.metrics.bytes, 0),
    hasSourceMap,
    mainExports,
  };
}

/**
 * Parses as an ES module (what the sandbox runs). If that fails, parses as a
 * script only to explain why: `with` is legal in sloppy scripts but a syntax
 * error in module code, and its other signals still count.
 */
function parseFile(path: string, source: string): ParsedFile {
  const lines = source.split('\n');
  const base = {
    path,
    sha256: createHash('sha256').update(source).digest('hex'),
    bytes: Buffer.byteLength(source),
    lines: lines.length,
    longestLine: lines.reduce((m, l) => Math.max(m, l.length), 0),
  };
  let program: acorn.Program | null = null;
  let isModule = true;
  try {
    program = acorn.parse(source, { ecmaVersion: 'latest', sourceType: 'module', locations: true, allowHashBang: true });
  } catch {
    isModule = false;
    try {
      program = acorn.parse(source, { ecmaVersion: 'latest', sourceType: 'script', locations: true, allowHashBang: true });
    } catch {
      program = null;
    }
  }
  const signals = program ? collectSignals(program) : null;
  const distinct = new Set(signals?.bindings ?? []);
  const short = [...distinct].filter((n) => n.length <= 2).length;
  const metrics: FileMetrics = {
    ...base,
    parsed: isModule,
    distinctBindings: distinct.size,
    shortBindingRatio: distinct.size === 0 ? 0 : Math.round((short / distinct.size) * 100) / 100,
  };
  return { metrics, signals };
}

/** File-level signals: size, minification, obfuscation, escaped strings, imports. */
function heuristics(file: ParsedFile, hasSourceMap: boolean, files: Readonly<Record<string, string>>): RuleMatch[] {
  const t = ANALYSIS_THRESHOLDS;
  const { metrics: m, signals } = file;
  const out: RuleMatch[] = [];
  if (m.bytes > t.largeSourceBytes) out.push({ rule: 'large-source', line: null, detail: `${m.bytes} bytes` });
  const hexNames = new Set(signals!.bindings.filter((n) => HEX_IDENTIFIER.test(n))).size;
  if (!hasSourceMap && hexNames >= t.hexIdentifiers) out.push({ rule: 'obfuscated', line: null, detail: `${hexNames} _0x… identifiers` });
  const longLines = m.longestLine > t.minifiedLineLength;
  const shortNames = m.distinctBindings >= t.minBindingsForRatio && m.shortBindingRatio >= t.shortBindingRatio;
  if (!hasSourceMap && (longLines || shortNames)) {
    const why = [longLines ? `a ${m.longestLine}-character line` : '', shortNames ? `${Math.round(m.shortBindingRatio * 100)}% of ${m.distinctBindings} names are 1–2 characters` : ''];
    out.push({ rule: 'minified', line: null, detail: why.filter(Boolean).join('; ') });
  }
  if (signals!.escapes.mostlyEscapedLiterals >= t.escapedLiterals) {
    out.push({ rule: 'escaped-strings', line: null, detail: `${signals!.escapes.mostlyEscapedLiterals} literals written mostly as escapes` });
  }
  for (const spec of signals!.imports) {
    if (!spec.startsWith('./') && !spec.startsWith('../')) out.push({ rule: 'forbidden-import', line: null, detail: spec });
    else if (!(resolveRelative(m.path, spec) in files)) out.push({ rule: 'unresolved-import', line: null, detail: spec });
  }
  return out;
}

function resolveRelative(from: string, spec: string): string {
  return posix.normalize(posix.join(posix.dirname(from), spec));
}

/** Exported names of a file, following `export * from './x.js'` inside the package. */
function exportsOf(path: string, parsed: ReadonlyMap<string, ParsedFile>, seen: Set<string>): string[] {
  const signals = parsed.get(path)?.signals;
  if (!signals || seen.has(path)) return [];
  seen.add(path);
  const star = signals.starExports.flatMap((s) => exportsOf(resolveRelative(path, s), parsed, seen).filter((n) => n !== 'default'));
  return [...new Set([...signals.exports, ...star])];
}

/** One finding per rule and file, with up to a few line numbers; most severe first. */
function toFindings(matches: readonly (RuleMatch & { file: string })[]): Finding[] {
  const groups = new Map<string, (RuleMatch & { file: string })[]>();
  for (const m of matches) {
    const key = `${m.rule}\u0000${m.file}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const findings = [...groups.values()].map((group): Finding => {
    const first = group[0]!;
    const rule = CODE_RULES[first.rule as CodeRuleId];
    const lines = group.map((g) => g.line).filter((l): l is number => l !== null);
    const details = [...new Set(group.map((g) => g.detail).filter(Boolean))].slice(0, ANALYSIS_THRESHOLDS.maxLocationsPerRule);
    const where = lines.length ? ` (line${lines.length > 1 ? 's' : ''} ${lines.slice(0, ANALYSIS_THRESHOLDS.maxLocationsPerRule).join(', ')}${lines.length > ANALYSIS_THRESHOLDS.maxLocationsPerRule ? ', …' : ''})` : '';
    return {
      rule: first.rule,
      severity: rule.severity,
      file: first.file,
      line: lines[0] ?? null,
      message: `${first.file} ${rule.message}${details.length ? `: ${details.join(', ')}` : ''}${where}`,
    };
  });
  return findings.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.file.localeCompare(b.file));
}
