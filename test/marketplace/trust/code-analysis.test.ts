import assert from 'node:assert/strict';
import { analyzeCode } from '../../../marketplace/trust/code-analysis.js';
import { computeTrust } from '../../../marketplace/trust/trust-score.js';
import { CLEAN_CODE, NO_COMMUNITY, manifest } from '../fixtures.js';

function rules(code: string, files: Record<string, string> = {}): string[] {
  return analyzeCode({ 'index.js': code, ...files }, manifest()).findings.map((f) => f.rule);
}

/** The factors and evidence signals of a one-file package. */
function score(code: string, files: Record<string, string> = {}, m = manifest()) {
  const analysis = analyzeCode({ 'index.js': code, ...files }, m);
  const report = computeTrust({
    manifest: m,
    packageSha256: 'a'.repeat(64),
    analysis,
    releases: [{ version: m.version, status: 'pending_review', publishedAt: '2025-01-01T00:00:00.000Z' }],
    execution: null,
    community: NO_COMMUNITY,
    now: new Date('2025-01-02T00:00:00.000Z'),
  });
  const signals = (factor: string) => report.evidence.filter((e) => e.factor === factor).map((e) => e.signal);
  return { report, signals };
}

describe('code analysis', () => {
  it('should find nothing in clean module code', () => {
    const { report, signals } = score(CLEAN_CODE);
    assert.deepEqual(report.findings, []);
    assert.equal(report.factors.codeQuality, 100);
    assert.equal(report.factors.security, 100);
    assert.ok(signals('codeQuality').includes('parses'));
    assert.ok(signals('security').includes('no-dangerous-patterns'));
  });

  const cases: [string, string, 'codeQuality' | 'security'][] = [
    ['eval', `${CLEAN_CODE}export const x = eval('1+1');`, 'security'],
    ['function-constructor', `${CLEAN_CODE}export const f = new Function('return 1');`, 'security'],
    ['function-constructor', `${CLEAN_CODE}export const g = Function('return this')();`, 'security'],
    ['constructor-chain', `${CLEAN_CODE}export const h = ({}).constructor.constructor('return process')();`, 'security'],
    ['constructor-chain', `${CLEAN_CODE}export const k = (() => 1)['constructor']('return 1');`, 'security'],
    ['proto-access', `${CLEAN_CODE}export const p = {}.__proto__;`, 'security'],
    ['prototype-tampering', `${CLEAN_CODE}Array.prototype.evil = 1;`, 'security'],
    ['prototype-tampering', `${CLEAN_CODE}Object.setPrototypeOf({}, null);`, 'security'],
    ['global-tampering', `${CLEAN_CODE}globalThis.fetch = () => 1;`, 'security'],
    ['global-tampering', `${CLEAN_CODE}Object.defineProperty(globalThis, 'x', { value: 1 });`, 'security'],
    ['proxy', `${CLEAN_CODE}export const q = new Proxy({}, {});`, 'security'],
    ['reflect', `${CLEAN_CODE}export const r = Reflect.ownKeys({});`, 'security'],
    ['webassembly', `${CLEAN_CODE}export const w = WebAssembly.Module;`, 'security'],
    ['shared-memory', `${CLEAN_CODE}export const s = new SharedArrayBuffer(8);`, 'security'],
    ['shared-memory', `${CLEAN_CODE}export const a = Atomics.wait;`, 'security'],
    ['dynamic-import', `${CLEAN_CODE}export const d = () => import('./x.js');`, 'security'],
    ['forbidden-import', `import fs from 'node:fs';\n${CLEAN_CODE}`, 'security'],
    ['host-probe', `${CLEAN_CODE}export const e = typeof process;`, 'security'],
    ['unresolved-import', `import { a } from './missing.js';\n${CLEAN_CODE}`, 'codeQuality'],
    ['parse-error', 'export function run( {', 'codeQuality'],
    ['with-statement', 'var o = {}; with (o) { x = 1; }', 'codeQuality'],
    ['missing-action-export', 'export function other() {}', 'codeQuality'],
  ];
  for (const [rule, code, factor] of cases) {
    it(`should report ${rule} and lower ${factor} with evidence`, () => {
      const { report, signals } = score(code);
      assert.ok(report.findings.some((f) => f.rule === rule), `findings: ${report.findings.map((f) => f.rule)}`);
      assert.ok(report.factors[factor] < 100);
      assert.ok(signals(factor).includes(rule));
      const ev = report.evidence.find((e) => e.factor === factor && e.signal === rule)!;
      assert.ok(ev.impact < 0 && ev.detail.length > 0);
    });
  }

  it('should give each factor the sum of its evidence impacts', () => {
    const { report } = score(`${CLEAN_CODE}export const x = eval('1');globalThis.y = 2;`);
    for (const [factor, value] of Object.entries(report.factors)) {
      const sum = report.evidence.filter((e) => e.factor === factor).reduce((n, e) => n + e.impact, 0);
      assert.equal(value, Math.max(0, Math.min(100, sum)), factor);
    }
  });

  it('should treat `with` as a module parse failure, not a plain parse error', () => {
    const found = rules('with (Math) { cos(1); }');
    assert.ok(found.includes('with-statement'));
    assert.ok(!found.includes('parse-error'));
  });

  it('should flag minified code without a source map, and not with one', () => {
    const names = Array.from({ length: 30 }, (_, i) => `var ${String.fromCharCode(97 + (i % 26))}${i < 26 ? '' : i} = ${i};`).join('');
    const longLine = `${CLEAN_CODE}${names}${' '.repeat(1200)}export const last = 1;`;
    assert.ok(rules(longLine).includes('minified'));
    assert.ok(!rules(`${longLine}\n//# sourceMappingURL=index.js.map`, { 'index.js.map': '{}' }).includes('minified'));
  });

  it('should flag _0x identifiers and hex-escaped strings as obfuscation', () => {
    const hex = Array.from({ length: 6 }, (_, i) => `var _0x${(0xa1b2 + i).toString(16)} = '\\x68\\x65\\x6c\\x6c\\x6f';`).join('\n');
    const found = rules(`${CLEAN_CODE}${hex}`);
    assert.ok(found.includes('obfuscated'));
    assert.ok(found.includes('escaped-strings'));
  });

  it('should follow export * to find action exports', () => {
    const found = rules("export * from './lib/run.js';", { 'lib/run.js': CLEAN_CODE });
    assert.deepEqual(found, []);
  });

  it('should lower code quality for actions without schemas', () => {
    const m = manifest({ actions: { run: {} } });
    const { report, signals } = score(CLEAN_CODE, {}, m);
    assert.ok(signals('codeQuality').includes('missing-action-schemas'));
    assert.equal(report.factors.codeQuality, 90);
  });
});
