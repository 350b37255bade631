/** Groups a package's findings by rule, for the factors that rule affects. */
import type { CodeAnalysis } from '../code-analysis.js';
import { CODE_RULES, type CodeRuleId } from '../code-rules.js';
import type { Finding } from '../trust-report.js';

/** Rules with a non-zero impact on `factor`, each with its findings (a rule counts once). */
export function ruleEvidence(analysis: CodeAnalysis, factor: 'codeQuality' | 'security'): Map<string, Finding[]> {
  const byRule = new Map<string, Finding[]>();
  for (const f of analysis.findings) {
    const rule = CODE_RULES[f.rule as CodeRuleId];
    if (!rule || rule[factor] === 0) continue;
    byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  }
  return byRule;
}
