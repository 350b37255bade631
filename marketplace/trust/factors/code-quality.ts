/**
 * Code quality: does the bundle parse, how big is it, is it readable (not
 * minified or obfuscated without a source map), does it avoid eval-like
 * constructs, and does it declare schemas for its actions.
 */
import type { PluginManifest } from '../../../manifests/plugin-manifest.schema.js';
import type { CodeAnalysis } from '../code-analysis.js';
import { CODE_RULES, type CodeRuleId } from '../code-rules.js';
import { FactorBuilder, type FactorResult } from '../factor-result.js';
import { ruleEvidence } from './rule-evidence.js';

/** Points per action that lacks an input or output schema, and the most they can cost together. */
const MISSING_SCHEMA_PENALTY = 5;
const MISSING_SCHEMA_CAP = 20;

export function codeQualityFactor(analysis: CodeAnalysis, manifest: PluginManifest): FactorResult {
  const b = new FactorBuilder('codeQuality', 100, 'starts at 100; static-analysis findings subtract');
  const parsedAll = analysis.files.length > 0 && analysis.files.every((f) => f.parsed);
  if (parsedAll) b.add('parses', `${analysis.files.length} file(s) parse as ES modules`, 0);
  b.add('size', `${analysis.sourceBytes} bytes of JavaScript in ${analysis.files.length} file(s)`, 0);
  if (analysis.hasSourceMap) b.add('source-map', 'ships a source map', 0);
  for (const [rule, findings] of ruleEvidence(analysis, 'codeQuality')) {
    b.add(rule, findings.map((f) => f.message).join('; '), CODE_RULES[rule as CodeRuleId].codeQuality, findings[0]!.severity);
  }
  const missing = Object.entries(manifest.actions).flatMap(([name, a]) => [
    ...(a.input ? [] : [`${name}.input`]),
    ...(a.output ? [] : [`${name}.output`]),
  ]);
  if (missing.length === 0) b.add('action-schemas', `every action declares input and output schemas`, 0);
  else b.add('missing-action-schemas', `no schema for ${missing.join(', ')}`, -Math.min(MISSING_SCHEMA_CAP, MISSING_SCHEMA_PENALTY * missing.length), 'low');
  return b.result();
}
