/**
 * The OpenAPI document lints clean with Redocly's `recommended` ruleset: no
 * error and no warning (operation ids, descriptions, a 4xx answer on every
 * operation, servers, license, unused components, path shapes, examples that
 * match their schemas…). Each problem is reported with its rule and place.
 */
import assert from 'node:assert/strict';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { buildOpenApiDocument } from '../../host/wiring/openapi-document.js';

describe('openapi lint (Redocly recommended)', function () {
  this.timeout(60_000);

  it('should report no error and no warning', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: JSON.stringify(buildOpenApiDocument()), absoluteRef: '/openapi.json', config });
    const reported = problems
      .filter((p) => p.severity === 'error' || p.severity === 'warn')
      .map((p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer ?? '?'}: ${p.message}`);
    assert.deepEqual(reported, []);
  });

  it('should catch what the ruleset forbids (the linter is really running)', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const document = buildOpenApiDocument();
    delete (document.info as Record<string, unknown>).license;
    const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: '/openapi.json', config });
    assert.ok(problems.some((p) => p.ruleId === 'info-license'), problems.map((p) => p.ruleId).join(', '));
  });
});
