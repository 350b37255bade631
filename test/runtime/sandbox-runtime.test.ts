import assert from 'node:assert/strict';
import { BazaarError } from '../../manifests/errors.js';
import { createSandboxRuntime, type SandboxRuntime } from '../../runtime/index.js';
import { FakeFetch, MemoryKv, request } from '../support/plugin-fixtures.js';

describe('sandbox runtime', function () {
  let runtime: SandboxRuntime;
  before(() => {
    runtime = createSandboxRuntime({ workers: 1, spareIsolates: 1, defaultMemoryMb: 16 });
  });
  after(() => runtime.close());

  describe('actions', () => {
    it('should run a sync action with input, config and logs', async () => {
      const result = await runtime.execute(
        request('valid', 'slugify', { input: { title: 'Hello Big World' }, config: { separator: '_' } }),
      );
      assert.equal(result.status, 'succeeded');
      assert.deepEqual(result.output, { slug: 'hello_big_world' });
      assert.deepEqual(result.logs, ['slugifying 15 chars']);
      assert.equal(result.error, undefined);
      assert.ok(result.usage.cpuMs >= 0 && result.usage.wallMs >= 0 && result.usage.memoryBytes > 0);
    });

    it('should run an async action', async () => {
      const result = await runtime.execute(request('valid', 'slugifyAsync', { input: { title: 'Async Title' } }));
      assert.equal(result.status, 'succeeded');
      assert.deepEqual(result.output, { slug: 'async-title' });
    });

    it('should answer null output for an action that returns nothing', async () => {
      const result = await runtime.execute(request('valid', 'nothing'));
      assert.equal(result.status, 'succeeded');
      assert.equal(result.output, null);
    });

    it('should answer plugin_error when an action throws or rejects', async () => {
      const thrown = await runtime.execute(request('valid', 'throws'));
      assert.equal(thrown.status, 'failed');
      assert.equal(thrown.error?.code, 'plugin_error');
      const rejected = await runtime.execute(request('valid', 'rejects'));
      assert.equal(rejected.error?.code, 'plugin_error');
    });

    it('should list only config, log and execution in ctx without grants (kv and fetch are there to name their permission)', async () => {
      const result = await runtime.execute(request('valid', 'describeCtx', { config: { a: 1 }, executionId: 'exec-1' }));
      assert.deepEqual(result.output, {
        keys: ['config', 'execution', 'log'],
        frozen: true,
        config: { a: 1 },
        execution: { id: 'exec-1', action: 'describeCtx' },
        hasKv: true,
        hasFetch: true,
      });
    });

    it('should keep module state across warm executions of one install only', async () => {
      const first = await runtime.execute(request('valid', 'counter', { installId: 'counter-a' }));
      const second = await runtime.execute(request('valid', 'counter', { installId: 'counter-a' }));
      const other = await runtime.execute(request('valid', 'counter', { installId: 'counter-b' }));
      assert.deepEqual([first.output, second.output, other.output], [{ executions: 1 }, { executions: 2 }, { executions: 1 }]);
    });

    it('should refuse executions after close()', async () => {
      const closed = createSandboxRuntime({ workers: 1, spareIsolates: 0 });
      await closed.close();
      await closed.close();
      await assert.rejects(closed.execute(request('valid', 'ping')), (err: unknown) => err instanceof BazaarError);
    });
  });

  describe('limits on output and logs', () => {
    it('should answer plugin_error for output nested deeper than the JSON bound, and take it at the bound', async () => {
      const deep = await runtime.execute(request('valid', 'deepOutput', { input: { depth: 5000 } }));
      assert.equal(deep.error?.code, 'plugin_error');
      assert.match(deep.error?.message ?? '', /nested deeper than 64/);
      const atBound = await runtime.execute(request('valid', 'deepOutput', { input: { depth: 63 } }));
      assert.equal(atBound.status, 'succeeded');
    });

    it('should answer output_too_large over maxOutputBytes', async () => {
      const result = await runtime.execute(
        request('valid', 'bigOutput', { input: { size: 5000 }, limits: { maxOutputBytes: 4096 } }),
      );
      assert.equal(result.error?.code, 'output_too_large');
      const fits = await runtime.execute(request('valid', 'bigOutput', { input: { size: 1000 }, limits: { maxOutputBytes: 4096 } }));
      assert.equal(fits.status, 'succeeded');
    });

    it('should bound logs by lines and end them with a truncation marker', async () => {
      const result = await runtime.execute(request('valid', 'logMany', { input: { lines: 50 }, limits: { maxLogLines: 10 } }));
      assert.equal(result.status, 'succeeded');
      assert.equal(result.logs.length, 11);
      assert.equal(result.logs[9], 'line 9 ');
      assert.match(result.logs[10] ?? '', /truncated/);
    });

    it('should bound logs by bytes', async () => {
      const result = await runtime.execute(
        request('valid', 'logMany', { input: { lines: 10, text: 'é'.repeat(300) }, limits: { maxLogBytes: 1000 } }),
      );
      const bytes = result.logs.slice(0, -1).reduce((n, line) => n + Buffer.byteLength(line), 0);
      assert.ok(bytes <= 1000, `logged ${bytes} bytes`);
      assert.match(result.logs.at(-1) ?? '', /truncated/);
    });
  });

  describe('host bridge', () => {
    it('should give kv through the install KvPort', async () => {
      const kv = new MemoryKv();
      const result = await runtime.execute(request('valid', 'kvRoundTrip', { input: { text: 'hi' }, bridge: { kv } }));
      assert.equal(result.status, 'succeeded');
      assert.deepEqual(result.output, { value: { text: 'hi' }, keys: ['greeting'], deleted: true, missing: null });
      assert.deepEqual([...kv.data.keys()], ['greeting']);
    });

    it('should give fetch through the install FetchPort', async () => {
      const fetch = new FakeFetch(() => ({ status: 201, headers: { 'content-type': 'text/plain' }, body: 'created' }));
      const result = await runtime.execute(
        request('valid', 'fetchIt', { input: { url: 'https://api.example.com/x' }, bridge: { fetch } }),
      );
      assert.deepEqual(result.output, { status: 201, headers: { 'content-type': 'text/plain' }, body: 'created' });
      assert.deepEqual(fetch.requests, [
        { url: 'https://api.example.com/x', method: 'POST', headers: { 'x-test': '1' }, body: 'hello' },
      ]);
    });

    it('should hand host errors to the plugin as plain Errors without host details', async () => {
      const kv = new MemoryKv();
      kv.failWith = new Error('connection refused at /work/main/host/storage/kv-store.ts:42');
      const result = await runtime.execute(request('valid', 'hostError', { bridge: { kv } }));
      const output = result.output as { caught: boolean; isError: boolean; proto: boolean; message: string; stack: string };
      assert.equal(output.caught, true);
      assert.equal(output.isError, true);
      assert.equal(output.proto, true);
      for (const text of [output.message, output.stack]) {
        assert.doesNotMatch(text, /\/work\/|host\/|\.ts\b|node:|node_modules|connection refused/);
      }
    });

    it('should pass the message of an exposed domain error', async () => {
      const kv = new MemoryKv();
      kv.failWith = new BazaarError('payload_too_large', 'Value exceeds 64 KiB.');
      const result = await runtime.execute(request('valid', 'hostError', { bridge: { kv } }));
      assert.equal((result.output as { message: string }).message, 'Value exceeds 64 KiB.');
    });
  });
});
