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

  it('should carry request and answer examples on the main operations (checked against their schemas by the lint above)', () => {
    const document = buildOpenApiDocument();
    const byId = new Map(
      Object.values(document.paths as Record<string, Record<string, Record<string, any>>>).flatMap((item) => Object.values(item).map((op) => [op.operationId as string, op] as const)),
    );
    const examplesOf = (media: Record<string, unknown> | undefined) => Object.keys((media?.examples ?? {}) as object);
    const jsonRequest = ['reviewVersion', 'createInstall', 'executeInstall', 'executePlugin', 'createApiKey'];
    const answers: Record<string, string> = {
      publishPackage: '201', reviewVersion: '200', createInstall: '201', executeInstall: '200', executePlugin: '200',
      getExecution: '200', getUsage: '200', createApiKey: '201',
    };
    for (const [id, status] of Object.entries(answers)) {
      const op = byId.get(id);
      assert.ok(op, `${id} is an operation`);
      assert.ok(examplesOf(op.responses[status]?.content?.['application/json']).length > 0, `${id} ${status}: an answer example`);
      if (jsonRequest.includes(id)) assert.ok(examplesOf(op.requestBody?.content?.['application/json']).length > 0, `${id}: a request example`);
    }
    // Executions show a failure too, and publishing a refusal.
    assert.ok(examplesOf(byId.get('executeInstall')!.responses['422'].content['application/json']).length > 0);
    assert.ok(examplesOf(byId.get('publishPackage')!.responses['400'].content['application/json']).length > 0);
  });

  it('should catch what the ruleset forbids (the linter is really running)', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const document = buildOpenApiDocument();
    delete (document.info as Record<string, unknown>).license;
    // An example that no longer matches its schema.
    const install = (document.paths as Record<string, Record<string, any>>)['/v1/installs']!.post;
    install.responses['201'].content['application/json'].examples.installed.value.status = 'paused';
    const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: '/openapi.json', config });
    const rules = problems.map((p) => p.ruleId);
    assert.ok(rules.includes('info-license'), rules.join(', '));
    assert.ok(rules.includes('no-invalid-media-type-examples'), rules.join(', '));
  });
});
