/**
 * Compliance: a valid SPDX license expression and a complete manifest
 * (description, homepage, repository, and a privacy policy URL whenever the
 * plugin asks for network access, because it may then send tenant data away).
 */
import parseSpdx from 'spdx-expression-parse';
import type { PluginManifest } from '../../../manifests/plugin-manifest.schema.js';
import { FactorBuilder, type FactorResult } from '../factor-result.js';

const MIN_DESCRIPTION = 10;

function spdxProblem(license: string): string | null {
  try {
    parseSpdx(license);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export function complianceFactor(manifest: PluginManifest): FactorResult {
  const b = new FactorBuilder('compliance', 100, 'starts at 100; missing or invalid manifest information subtracts');
  const problem = spdxProblem(manifest.license);
  if (problem === null) b.add('spdx-license', `license "${manifest.license}" is a valid SPDX expression`, 0);
  else b.add('invalid-license', `license "${manifest.license}" is not a valid SPDX expression`, -40, 'medium');
  const description = manifest.description?.trim() ?? '';
  if (description.length >= MIN_DESCRIPTION) b.add('description', 'has a description', 0);
  else b.add('missing-description', description ? 'description is too short to be useful' : 'no description', -20, 'low');
  if (manifest.homepage) b.add('homepage', `homepage ${manifest.homepage}`, 0);
  else b.add('missing-homepage', 'no homepage', -15, 'low');
  if (manifest.repository) b.add('repository', `repository ${manifest.repository}`, 0);
  else b.add('missing-repository', 'no repository', -10, 'info');
  const hosts = manifest.permissions?.network?.hosts ?? [];
  if (hosts.length === 0) b.add('privacy-not-needed', 'no network access, so no privacy policy is required', 0);
  else if (manifest.privacyPolicy) b.add('privacy-policy', `privacy policy ${manifest.privacyPolicy}`, 0);
  else b.add('missing-privacy-policy', `asks for network access (${hosts.join(', ')}) without a privacyPolicy URL`, -15, 'medium');
  return b.result();
}
