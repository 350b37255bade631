/**
 * Security: dangerous patterns from static analysis, the permissions the
 * manifest asks for, escape-like behaviour seen at run time, and the
 * operator's deny-list of known-bad hashes (checked at every computation, so
 * adding a hash later changes the score on the next recompute).
 */
import type { PluginManifest } from '../../../manifests/plugin-manifest.schema.js';
import type { ExecutionStats } from '../../ports.js';
import type { CodeAnalysis } from '../code-analysis.js';
import { CODE_RULES, type CodeRuleId } from '../code-rules.js';
import { FactorBuilder, type FactorResult } from '../factor-result.js';
import type { Finding } from '../trust-report.js';
import { ruleEvidence } from './rule-evidence.js';

const KV_PENALTY = 5;
const HOST_PENALTY = 5;
const HOSTS_CAP = 20;
const ESCAPE_ATTEMPT_PENALTY = 20;

export interface SecurityInput {
  readonly analysis: CodeAnalysis;
  readonly manifest: PluginManifest;
  readonly packageSha256: string;
  readonly denyList: ReadonlySet<string>;
  readonly stats: ExecutionStats | null;
}

/** Deny-list matches of the package or any of its files, as critical findings. */
export function denyListFindings(input: Pick<SecurityInput, 'analysis' | 'packageSha256' | 'denyList'>): Finding[] {
  const hashes = [{ file: 'package', sha256: input.packageSha256 }, ...input.analysis.files.map((f) => ({ file: f.path, sha256: f.sha256 }))];
  return hashes
    .filter((h) => input.denyList.has(h.sha256.toLowerCase()))
    .map((h) => ({ rule: 'known-bad-hash', severity: 'critical', file: h.file, line: null, message: `${h.file} ${CODE_RULES['known-bad-hash'].message} (${h.sha256})` }));
}

export function securityFactor(input: SecurityInput): FactorResult {
  const b = new FactorBuilder('security', 100, 'starts at 100; dangerous patterns and broad permissions subtract');
  const rules = ruleEvidence(input.analysis, 'security');
  if (rules.size === 0) b.add('no-dangerous-patterns', 'no eval, Function, prototype or global tampering, or escape patterns found', 0);
  for (const [rule, findings] of rules) {
    b.add(rule, findings.map((f) => f.message).join('; '), CODE_RULES[rule as CodeRuleId].security, findings[0]!.severity);
  }
  const denied = denyListFindings(input);
  if (denied.length > 0) b.add('known-bad-hash', denied.map((f) => f.message).join('; '), CODE_RULES['known-bad-hash'].security, 'critical');
  const perms = input.manifest.permissions;
  const hosts = perms?.network?.hosts ?? [];
  if (!perms?.kv && hosts.length === 0) b.add('no-permissions', 'asks for no kv or network access', 0);
  if (perms?.kv) b.add('kv-permission', 'asks for a key-value store', -KV_PENALTY, 'info');
  if (hosts.length > 0) {
    b.add('network-permission', `asks for network access to ${hosts.join(', ')}`, -Math.min(HOSTS_CAP, HOST_PENALTY * hosts.length), 'low');
  }
  const attempts = input.stats?.escapeAttempts ?? 0;
  if (attempts > 0) b.add('runtime-escape-attempts', `${attempts} escape-like host access attempt(s) seen at run time`, -ESCAPE_ATTEMPT_PENALTY * Math.min(3, attempts), 'high');
  return b.result();
}
