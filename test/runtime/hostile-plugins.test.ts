import assert from 'node:assert/strict';
import { createSandboxRuntime, type SandboxRuntime } from '../../runtime/index.js';
import type { JsonValue } from '../../runtime/types.js';
import { MemoryKv, loadFixture, request, withMain } from '../support/plugin-fixtures.js';

/** A KvPort whose every answer takes `ms`: time a plugin spends awaiting the host. */
class SlowKv extends MemoryKv {
  constructor(readonly ms: number) {
    super();
  }
  override async get(key: string): Promise<JsonValue | null> {
    await new Promise((resolve) => setTimeout(resolve, this.ms));
    return super.get(key);
  }
}

describe('hostile plugins', function () {
  let runtime: SandboxRuntime;
  before(() => {
    runtime = createSandboxRuntime({ workers: 1, spareIsolates: 2, defaultMemoryMb: 16 });
  });
  after(() => runtime.close());

  async function expectCode(fixture: string, action: string, code: string, extra: Parameters<typeof request>[2] = {}) {
    const result = await runtime.execute(request(fixture, action, extra));
    assert.equal(result.status, 'failed', `${action} should fail`);
    assert.equal(result.error?.code, code, `${action}: ${result.error?.message}`);
    // The install still works afterwards (on a recycled isolate).
    const next = await runtime.execute(request('infinite-loop', 'awaitForever', { installId: extra.installId ?? `install-${fixture}`, limits: { timeoutMs: 50 } }));
    assert.ok(next.error?.code === 'execution_timeout' || next.error?.code === 'plugin_error');
    return result;
  }

  describe('runaway code', () => {
    const kv = new MemoryKv();
    for (const action of ['syncLoop', 'microtaskLoop', 'asyncLoop', 'loopAfterHostCall', 'microtasksAfterHostCall', 'neverResolves', 'awaitForever', 'logThenLoop']) {
      it(`should stop ${action} with execution_timeout`, async () => {
        await expectCode('infinite-loop', action, 'execution_timeout', { bridge: { kv } });
      });
    }

    it('should count time awaiting slow host calls against the wall limit', async () => {
      const result = await runtime.execute(
        request('infinite-loop', 'wallClockWait', { bridge: { kv: new SlowKv(60) }, limits: { cpuMs: 200, timeoutMs: 300 } }),
      );
      assert.equal(result.error?.code, 'execution_timeout');
      assert.ok(result.usage.cpuMs < 200);
    });

    it('should count promise jobs left queued behind an answer against that execution', async () => {
      await expectCode('infinite-loop', 'leftoverMicrotasks', 'execution_timeout');
    });

    it('should stop cold starts at a 1 ms CPU limit without crashing the worker', async () => {
      // The watchdog can fire just as module evaluation settles; the worker once segfaulted then.
      const before = (await runtime.stats()).restarts;
      for (let i = 0; i < 60; i++) {
        const result = await runtime.execute(request('valid', 'slugify', { installId: `cold-${i}`, input: { title: `Cold ${i}` }, limits: { cpuMs: 1 } }));
        assert.ok(result.status === 'succeeded' || result.error?.code === 'execution_timeout', result.error?.message);
      }
      assert.equal((await runtime.stats()).restarts, before);
    });

    it('should never run a continuation parked on a host call after the execution ended', async () => {
      const lateKv = new MemoryKv();
      const installId = 'leftover-host-call';
      const first = await runtime.execute(request('infinite-loop', 'leftoverHostCall', { installId, bridge: { kv: lateKv } }));
      assert.equal(first.status, 'succeeded');
      assert.deepEqual(first.output, { returned: true });
      const second = await runtime.execute(request('escape-attempt', 'afterTamper', { installId: 'leftover-other', bridge: { kv: lateKv } }));
      assert.equal(second.status, 'succeeded');
      const third = await runtime.execute(request('infinite-loop', 'leftoverHostCall', { installId, bridge: { kv: lateKv } }));
      assert.deepEqual(third.logs, []);
      assert.equal(lateKv.data.has('late-write'), false);
    });
  });

  describe('memory bombs', () => {
    for (const action of ['arrayBomb', 'stringDoubling', 'typedArrays', 'arrayBuffers']) {
      it(`should stop ${action} with memory_limit_exceeded`, async () => {
        await expectCode('oom', action, 'memory_limit_exceeded', { limits: { cpuMs: 2000, timeoutMs: 3000 } });
      });
    }

    it('should stop a plugin that keeps running while holding external memory at its limit', async () => {
      const kv = new SlowKv(5);
      await expectCode('oom', 'hoardExternalThenAwait', 'memory_limit_exceeded', { bridge: { kv }, limits: { cpuMs: 2000, timeoutMs: 3000 } });
    });

    it('should answer plugin_error for runaway recursion', async () => {
      await expectCode('oom', 'deepRecursion', 'plugin_error');
    });
  });

  describe('escape attempts', () => {
    const bridge = { kv: new MemoryKv(), fetch: { fetch: async () => ({ status: 200, headers: {}, body: '' }) } };

    it('should expose no host object anywhere reachable from globalThis, ctx or input', async () => {
      const result = await runtime.execute(request('escape-attempt', 'scanGlobals', { input: { a: [1] }, bridge }));
      assert.equal(result.status, 'succeeded');
      const output = result.output as { found: string[]; visited: number };
      assert.deepEqual(output.found, []);
      assert.ok(output.visited > 100);
    });

    it('should not reach process or require through constructor chains', async () => {
      const result = await runtime.execute(request('escape-attempt', 'constructorChains', { bridge }));
      assert.equal(result.status, 'succeeded');
      for (const [name, value] of Object.entries(result.output as Record<string, string>)) {
        assert.ok(value === 'undefined' || value.startsWith('threw'), `${name}: ${value}`);
      }
    });

    it('should show no host frames or paths through Error.prepareStackTrace', async () => {
      const kv = new MemoryKv();
      kv.failWith = new Error('failed reading /work/main/host/secret.ts');
      const result = await runtime.execute(request('escape-attempt', 'stackTraces', { bridge: { kv } }));
      assert.equal(result.status, 'succeeded');
      const { frames, stacks } = result.output as { frames: { file: string; receiver: string }[]; stacks: string[] };
      for (const frame of frames) assert.match(frame.file, /^(plugin:|bazaar:|undefined$|null$)/, frame.file);
      for (const text of stacks) assert.doesNotMatch(text, /\/work\/|node:|\.ts\b|node_modules|isolated-vm/);
    });

    it('should not let prototype tampering affect ctx or later executions', async () => {
      const installId = 'tamperer';
      const config = { separator: '-' };
      const tampered = await runtime.execute(request('escape-attempt', 'tamper', { installId, config, bridge }));
      assert.equal(tampered.status, 'succeeded', tampered.error?.message);
      const results = tampered.output as Record<string, string>;
      for (const key of ['replaceLog', 'addToCtx', 'redefineConfig', 'logProperty', 'logPrototype', 'executionId']) {
        assert.match(results[key] ?? '', /^threw/, key);
      }
      bridge.kv.data.set('k', 'v');
      const after = await runtime.execute(request('escape-attempt', 'afterTamper', { installId, config, bridge, input: { x: 1 } }));
      assert.equal(after.status, 'succeeded', after.error?.message);
      assert.deepEqual(after.output, { config: { separator: '-' }, execution: 'afterTamper', stored: 'v', input: { x: 1 } });
      assert.deepEqual(after.logs, ['still logging {"n":1}']);
      const neighbour = await runtime.execute(request('escape-attempt', 'afterTamper', { installId: 'not-tampered', config, bridge }));
      assert.equal(neighbour.status, 'succeeded');
    });

    it('should give input as a plain JSON copy', async () => {
      const result = await runtime.execute(request('escape-attempt', 'inputShape', { input: { a: 1, b: [2] } }));
      assert.deepEqual(result.output, { plain: true, keys: ['a', 'b'], getters: false });
    });

    for (const action of ['hostileThrow', 'proxyThrow', 'getterOutput', 'proxyOutput', 'hostileThenable', 'hostileLogArg']) {
      it(`should stop ${action} under the time limit`, async () => {
        await expectCode('escape-attempt', action, 'execution_timeout');
      });
    }

    it('should stop a hostile value thrown while the module is evaluated', async () => {
      const code = withMain(loadFixture('escape-attempt'), 'hostile-top-level.js');
      await expectCode('escape-attempt', 'run', 'execution_timeout', { code, installId: 'hostile-top-level' });
    });

    it('should measure output serialised by toJSON', async () => {
      await expectCode('escape-attempt', 'hugeToJSON', 'output_too_large');
    });

    it('should run no plugin accessor while the invoke arguments and host-call replies cross into the isolate', async () => {
      // Accessors on Object.prototype for every field name of InvokeArgs, HostCall and HostCallReply (sandbox-contract.ts).
      // 'value' last: once inherited, it would spoil the descriptors that follow.
      const fields = ['token', 'call', 'op', 'args', 'ok', 'action', 'input', 'config', 'execId', 'maxOutputBytes', 'maxLogLines', 'maxLogBytes', 'bridge', 'value'];
      const code = {
        sha256: 'contract-accessors',
        main: 'index.js',
        files: {
          'index.js': [
            `const fields = ${JSON.stringify(fields)};`,
            'const touched = [];',
            'export async function poison(input, ctx) {',
            '  for (const name of fields) Object.defineProperty(Object.prototype, name, {',
            '    configurable: true, get() { touched.push("get " + name); return "poison"; }, set() { touched.push("set " + name); } });',
            '  await ctx.kv.put("k", { n: 1 });',
            '  return { got: await ctx.kv.get("k"), touched: touched.slice() };',
            '}',
            'export async function after(input, ctx) {',
            '  ctx.log("warm");',
            '  return { got: await ctx.kv.get("k"), input, config: ctx.config, id: ctx.execution.id, touched: touched.slice() };',
            '}',
          ].join('\n'),
        },
      };
      const installId = 'contract-accessors';
      const kv = { kv: new MemoryKv() };
      const first = await runtime.execute(request('escape-attempt', 'poison', { installId, code, bridge: kv }));
      assert.equal(first.status, 'succeeded', first.error?.message);
      assert.deepEqual(first.output, { got: { n: 1 }, touched: [] });
      // The same (now tampered) isolate, warm: its invoke arguments cross after the tampering.
      const after = await runtime.execute(request('escape-attempt', 'after', { installId, code, bridge: kv, input: { x: 1 }, config: { y: 2 }, executionId: 'exec-after' }));
      assert.equal(after.status, 'succeeded', after.error?.message);
      assert.deepEqual(after.output, { got: { n: 1 }, input: { x: 1 }, config: { y: 2 }, id: 'exec-after', touched: [] });
      assert.deepEqual(after.logs, ['warm']);
    });
  });
});
