import assert from 'node:assert/strict';
import { createSandboxRuntime, type SandboxRuntime } from '../../runtime/index.js';
import { ModuleLoadError, resolveSpecifier } from '../../runtime/module-loader.js';
import { loadFixture, request, withMain } from '../support/plugin-fixtures.js';

describe('module-loader', () => {
  describe('resolveSpecifier', () => {
    const files = { 'index.js': '', 'lib/a.js': '', 'lib/deep/b.js': '', 'util.js': '' };

    it('should resolve relative specifiers against the referrer', () => {
      assert.equal(resolveSpecifier('./lib/a.js', 'index.js', files), 'lib/a.js');
      assert.equal(resolveSpecifier('../util.js', 'lib/a.js', files), 'util.js');
      assert.equal(resolveSpecifier('./deep/../a.js', 'lib/a.js', files), 'lib/a.js');
      assert.equal(resolveSpecifier('../../util.js', 'lib/deep/b.js', files), 'util.js');
    });

    it('should reject bare, node:, URL, absolute, escaping and missing specifiers', () => {
      for (const [specifier, referrer] of [
        ['lodash', 'index.js'],
        ['node:fs', 'index.js'],
        ['fs', 'index.js'],
        ['https://example.com/x.js', 'index.js'],
        ['data:text/javascript,export default 1', 'index.js'],
        ['/etc/passwd', 'index.js'],
        ['../index.js', 'index.js'],
        ['../../index.js', 'lib/a.js'],
        ['./nope.js', 'index.js'],
      ] as const) {
        assert.throws(() => resolveSpecifier(specifier, referrer, files), ModuleLoadError, specifier);
      }
    });
  });

  describe('loading packages in the sandbox', function () {
    let runtime: SandboxRuntime;
    before(() => {
      runtime = createSandboxRuntime({ workers: 1, spareIsolates: 1, defaultMemoryMb: 16 });
    });
    after(() => runtime.close());

    it('should load a multi-module package and run its action', async () => {
      const result = await runtime.execute(request('valid', 'slugify', { input: { title: ' Hello, World ' } }));
      assert.equal(result.status, 'succeeded');
      assert.deepEqual(result.output, { slug: 'hello-world' });
    });

    for (const main of ['bare.js', 'node-builtin.js', 'url.js', 'escape.js', 'missing.js', 'nested-escape.js', 'syntax-error.js', 'top-level-throw.js']) {
      it(`should answer plugin_error for ${main}`, async () => {
        const code = withMain(loadFixture('bad-imports'), main);
        const result = await runtime.execute(request('bad-imports', 'run', { code, installId: `bad-${main}` }));
        assert.equal(result.status, 'failed');
        assert.equal(result.error?.code, 'plugin_error');
      });
    }

    it('should refuse dynamic import()', async () => {
      const code = withMain(loadFixture('bad-imports'), 'dynamic.js');
      const result = await runtime.execute(request('bad-imports', 'run', { code, installId: 'bad-dynamic' }));
      assert.equal(result.error?.code, 'plugin_error');
    });

    it('should answer plugin_error for an action the package does not export', async () => {
      const result = await runtime.execute(request('valid', 'noSuchAction'));
      assert.equal(result.error?.code, 'plugin_error');
      const inherited = await runtime.execute(request('valid', 'toString'));
      assert.equal(inherited.error?.code, 'plugin_error');
    });
  });
});
