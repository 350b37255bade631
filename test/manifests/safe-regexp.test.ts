/**
 * Plugins' schema patterns run with RE2 semantics (manifests/safe-regexp.ts):
 * a catastrophic-backtracking pattern cannot stall the host, and patterns RE2
 * cannot express are refused at publish.
 */
import assert from 'node:assert/strict';
import { validateManifest } from '../../manifests/manifest-validator.js';
import type { PluginManifest } from '../../manifests/plugin-manifest.schema.js';
import { ManifestSchemas } from '../../marketplace/action-schemas.js';

function manifestWithInputPattern(pattern: string): Record<string, unknown> {
  return {
    name: '@acme/evil',
    version: '1.0.0',
    main: 'index.js',
    engine: '^1.0.0',
    license: 'MIT',
    actions: { run: { input: { type: 'object', properties: { text: { type: 'string', pattern } } } } },
  };
}

describe('safe regular expressions in plugin schemas', () => {
  it('should validate against a catastrophic-backtracking pattern in linear time', () => {
    const result = validateManifest(manifestWithInputPattern('^(a+)+$'));
    assert.equal(result.valid, true);
    const schemas = new ManifestSchemas((result as { manifest: PluginManifest }).manifest);
    // With a backtracking engine this input takes longer than the age of the universe;
    // with RE2 it is one linear scan, so this test finishes (or times out and fails).
    const hostile = 'a'.repeat(100_000) + '!';
    assert.equal(schemas.checkInput('run', { text: hostile }).length, 1);
    assert.deepEqual(schemas.checkInput('run', { text: 'aaaa' }), []);
  });

  it('should keep ordinary JavaScript pattern syntax working', () => {
    const result = validateManifest(manifestWithInputPattern('^\\d{3}-[A-Z]\\w*$'));
    assert.equal(result.valid, true);
    const schemas = new ManifestSchemas((result as { manifest: PluginManifest }).manifest);
    assert.deepEqual(schemas.checkInput('run', { text: '123-Abc_9' }), []);
    assert.equal(schemas.checkInput('run', { text: '12-abc' }).length, 1);
  });

  it('should refuse at publish a pattern RE2 cannot run (backreference, lookahead)', () => {
    for (const pattern of ['^(a)\\1$', '^(?=a)a$']) {
      const result = validateManifest(manifestWithInputPattern(pattern));
      assert.equal(result.valid, false, pattern);
      assert.ok(result.issues.some((i) => i.path === '/actions/run/input' && i.keyword === 'schema'), JSON.stringify(result.issues));
    }
  });
});
