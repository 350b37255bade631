import assert from 'node:assert/strict';
import { createSandboxRuntime, type SandboxRuntime } from '../../runtime/index.js';
import { request } from '../support/plugin-fixtures.js';

/** No host path, Node built-in, runtime source or prelude frame may reach a plugin author. */
const HOST_TEXT = /\/work\/|node:|node_modules|\.ts\b|isolated-vm|bazaar:|plugin:/;

describe('errors as a plugin author sees them', function () {
  let runtime: SandboxRuntime;
  before(() => {
    runtime = createSandboxRuntime({ workers: 1, spareIsolates: 1, defaultMemoryMb: 16 });
  });
  after(() => runtime.close());

  describe('stacks', () => {
    it('should give a thrown error the plugin frames only, as package-relative file:line:column', async () => {
      const result = await runtime.execute(request('author-errors', 'boom', { input: {} }));
      assert.equal(result.error?.code, 'plugin_error');
      assert.equal(result.error?.message, 'TypeError: title must be a string');
      assert.equal(result.error?.stack, '    at parseTitle (lib/parse.js:4:11)\n    at boom (index.js:6:10)');
    });

    it('should keep the frames of an async rejection', async () => {
      const result = await runtime.execute(request('author-errors', 'rejectLater'));
      assert.equal(result.error?.message, 'RangeError: late failure');
      assert.match(result.error?.stack ?? '', /^ {4}at rejectLater \(index\.js:15:9\)$/m);
      assert.doesNotMatch(result.error?.stack ?? '', HOST_TEXT);
    });

    it('should give no stack for a thrown non-Error', async () => {
      const result = await runtime.execute(request('author-errors', 'throwString'));
      assert.equal(result.error?.code, 'plugin_error');
      assert.equal(result.error?.message, 'Uncaught just a string');
      assert.equal(result.error?.stack, undefined);
    });

    it('should give the frames of a module that throws while it is evaluated', async () => {
      const code = { sha256: 'top-level-throw-stack', main: 'index.js', files: { 'index.js': 'const x = 1;\nthrow new Error("no " + x);\nexport function run() {}\n' } };
      const result = await runtime.execute(request('author-errors', 'run', { code, installId: 'top-level-throw-stack' }));
      assert.equal(result.error?.code, 'plugin_error');
      assert.match(result.error?.message ?? '', /no 1/);
      assert.equal(result.error?.stack, '    at index.js:2:7');
    });

    it('should keep only well-formed plugin frames of a stack the plugin rewrote', async () => {
      const code = {
        sha256: 'forged-stack',
        main: 'index.js',
        files: {
          'index.js': [
            'export function forge() {',
            '  const e = new Error("forged");',
            '  e.stack = "Error: forged\\n    at host (/work/main/host/secret.ts:1:1)\\n    at x (node:internal/x:2:3)\\n    at real (plugin:///index.js:9:9)\\n    at bad (plugin:////etc/passwd:1:1)";',
            '  throw e;',
            '}',
          ].join('\n'),
        },
      };
      const result = await runtime.execute(request('author-errors', 'forge', { code, installId: 'forged-stack' }));
      assert.equal(result.error?.stack, '    at real (index.js:9:9)');
    });
  });

  describe('console', () => {
    it('should capture console.log/info/warn/error/debug into logs like ctx.log', async () => {
      const result = await runtime.execute(request('author-errors', 'consoleEverything'));
      assert.equal(result.status, 'succeeded', result.error?.message);
      assert.deepEqual(result.logs, ['log {"n":1}', 'info 2', 'warn', 'error [3]', 'debug', 'ctx.log']);
      assert.deepEqual(result.output, { console: 'object', keys: ['debug', 'error', 'info', 'log', 'trace', 'warn'] });
    });

    it('should bound console output by the same limits as ctx.log', async () => {
      const result = await runtime.execute(request('author-errors', 'consoleFlood', { input: { lines: 50 }, limits: { maxLogLines: 10 } }));
      assert.equal(result.logs.length, 11);
      assert.equal(result.logs[9], 'line 9');
      assert.match(result.logs[10] ?? '', /truncated: 40 more/);
    });
  });

  describe('missing permissions', () => {
    it('should name the kv permission when ctx.kv is used without it', async () => {
      const result = await runtime.execute(request('author-errors', 'kvWithoutPermission'));
      assert.equal(result.error?.code, 'plugin_error');
      assert.match(result.error?.message ?? '', /^Error: ctx\.kv needs the "kv" permission/);
      assert.match(result.error?.stack ?? '', /at kvWithoutPermission \(index\.js:34:17\)/);
    });

    it('should name the network.hosts permission when ctx.fetch is used without it', async () => {
      const result = await runtime.execute(request('author-errors', 'fetchWithoutPermission'));
      assert.equal(result.error?.code, 'plugin_error');
      assert.match(result.error?.message ?? '', /^Error: ctx\.fetch needs the "network\.hosts" permission/);
    });
  });

  describe('logs of a plugin stopped by a limit', () => {
    it('should return the logs written before an execution_timeout', async () => {
      const result = await runtime.execute(request('author-errors', 'logThenLoop', { limits: { cpuMs: 100, timeoutMs: 300 } }));
      assert.equal(result.error?.code, 'execution_timeout');
      assert.deepEqual(result.logs, ['before the loop', 'still before the loop']);
    });

    it('should return the logs written before a memory_limit_exceeded', async () => {
      const result = await runtime.execute(request('author-errors', 'logThenBomb', { limits: { cpuMs: 2000, timeoutMs: 3000 } }));
      assert.equal(result.error?.code, 'memory_limit_exceeded');
      assert.deepEqual(result.logs, ['before the bomb', 'about to allocate']);
    });

    it('should keep serving the install after those failures', async () => {
      const result = await runtime.execute(request('author-errors', 'consoleEverything'));
      assert.equal(result.status, 'succeeded');
      assert.equal(result.logs.length, 6);
    });
  });
});
