import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ActionSchemaCache } from '../../marketplace/action-schemas.js';
import { readPackageDirectory, type PluginPackage } from '../../marketplace/package-archive.js';
import { MemoryKv } from '../../host/cli/local-bridge.js';
import { resolveRunLimits } from '../../host/cli/run-limits.js';
import { runPlugin } from '../../host/cli/run-plugin.js';
import { createSandboxRuntime } from '../../runtime/index.js';
import type { FetchPort, FetchRequest, FetchResponse, HostBridge, JsonValue, SandboxRuntime } from '../../runtime/types.js';

const examples = path.resolve(import.meta.dirname, '../../../examples');

/** The rates service, answering from memory: examples' tests never leave the machine. */
class FakeRates implements FetchPort {
  readonly requests: FetchRequest[] = [];
  async fetch(request: FetchRequest): Promise<FetchResponse> {
    this.requests.push(request);
    const url = new URL(request.url);
    const body = { amount: 1, base: url.searchParams.get('from'), date: '2024-05-17', rates: { [url.searchParams.get('to') ?? '']: 0.9215 } };
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
  }
}

describe('examples', () => {
  let runtime: SandboxRuntime;
  const packages = new Map<string, PluginPackage>();
  const schemas = new ActionSchemaCache();

  const tested = ['currency-convert', 'feature-flags', 'sha256', 'slugify', 'text-stats'];

  before(async () => {
    runtime = createSandboxRuntime({ workers: 1, spareIsolates: 0 });
    for (const name of tested) {
      packages.set(name, await readPackageDirectory(path.join(examples, name)));
    }
  });

  after(async () => {
    await runtime.close();
  });

  async function run(name: string, action: string, input: JsonValue, extra: { config?: JsonValue; bridge?: HostBridge } = {}): Promise<JsonValue> {
    const pkg = packages.get(name);
    assert.ok(pkg);
    const result = await runPlugin(runtime, pkg, { action, input, limits: resolveRunLimits(pkg.manifest, {}), schemas, ...extra });
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    return result.output;
  }

  it('should test every example folder', () => {
    const folders = readdirSync(examples, { withFileTypes: true }).filter((entry) => entry.isDirectory());
    assert.deepEqual(folders.map((entry) => entry.name).sort(), tested);
  });

  describe('slugify', () => {
    it('should fold accents, drop punctuation and use the default separator', async () => {
      assert.deepEqual(await run('slugify', 'slugify', { title: 'Crème Brûlée — 10 Tips!' }), { slug: 'creme-brulee-10-tips' });
    });

    it('should use the configured separator and cut at a word boundary', async () => {
      const output = await run('slugify', 'slugify', { title: 'Straße und Öl im Überfluss' }, { config: { separator: '_', maxLength: 14 } });
      assert.deepEqual(output, { slug: 'strasse_und_ol' });
    });
  });

  describe('text-stats', () => {
    it('should count words, sentences and paragraphs across its modules', async () => {
      const text = 'The cat sat on the mat. The cat was happy!\n\nDogs barked at the cat.';
      const output = (await run('text-stats', 'analyze', { text, topWords: 2 })) as Record<string, JsonValue>;
      assert.equal(output['words'], 15);
      assert.equal(output['sentences'], 3);
      assert.equal(output['paragraphs'], 2);
      assert.equal(output['readingTimeSeconds'], 4); // 15 words at the default 230 wpm
      assert.deepEqual(output['topWords'], [{ word: 'cat', count: 3 }, { word: 'barked', count: 1 }]);
      assert.equal(typeof output['fleschReadingEase'], 'number');
    });
  });

  describe('feature-flags', () => {
    it('should store flags in kv and evaluate them stickily', async () => {
      const bridge = { kv: new MemoryKv() };
      await run('feature-flags', 'setFlag', { flag: 'beta', enabled: true, rolloutPercent: 30, allowUsers: ['vip'] }, { bridge });
      assert.deepEqual(await run('feature-flags', 'evaluate', { flag: 'beta', userId: 'vip' }, { bridge }), { flag: 'beta', enabled: true, reason: 'allow_list' });
      assert.deepEqual(await run('feature-flags', 'evaluate', { flag: 'nope', userId: 'vip' }, { bridge }), { flag: 'nope', enabled: false, reason: 'unknown_flag' });
      const users = Array.from({ length: 20 }, (_, i) => `user-${i}`);
      const first = [];
      for (const userId of users) first.push(((await run('feature-flags', 'evaluate', { flag: 'beta', userId }, { bridge })) as { enabled: boolean }).enabled);
      const enabled = first.filter(Boolean).length;
      assert.ok(enabled > 0 && enabled < users.length, `${enabled} of ${users.length} in a 30% rollout`);
      await run('feature-flags', 'setFlag', { flag: 'beta', enabled: true, rolloutPercent: 60 }, { bridge });
      for (const [i, userId] of users.entries()) {
        const now = ((await run('feature-flags', 'evaluate', { flag: 'beta', userId }, { bridge })) as { enabled: boolean }).enabled;
        if (first[i]) assert.equal(now, true, `${userId} left the rollout when it grew`);
      }
      assert.deepEqual(await run('feature-flags', 'listFlags', {}, { bridge }), {
        flags: [{ flag: 'beta', enabled: true, rolloutPercent: 60, allowUsers: [] }],
      });
      assert.deepEqual(await run('feature-flags', 'deleteFlag', { flag: 'beta' }, { bridge }), { deleted: true });
      assert.deepEqual(await bridge.kv.list(), []);
    });
  });

  describe('sha256', () => {
    it('should match node:crypto for digests, stretched digests and HMACs', async () => {
      for (const text of ['', 'abc', 'héllo wörld 😀', 'x'.repeat(10_000)]) {
        assert.deepEqual(await run('sha256', 'digest', { text }), { hex: createHash('sha256').update(text).digest('hex'), iterations: 1 });
      }
      let stretched = createHash('sha256').update('password').digest();
      for (let i = 1; i < 1000; i++) stretched = createHash('sha256').update(stretched).digest();
      assert.deepEqual(await run('sha256', 'digest', { text: 'password', iterations: 1000 }), { hex: stretched.toString('hex'), iterations: 1000 });
      const key = 'k'.repeat(100); // longer than a block: hashed first, per RFC 2104
      assert.deepEqual(await run('sha256', 'hmac', { key, message: 'payload' }), { hex: createHmac('sha256', key).update('payload').digest('hex') });
    });
  });

  describe('currency-convert', () => {
    it('should fetch the rate from its one allowed host and round to the configured decimals', async () => {
      const rates = new FakeRates();
      const output = await run('currency-convert', 'convert', { amount: 19.99, from: 'USD', to: 'EUR' }, { bridge: { fetch: rates }, config: { decimals: 3 } });
      assert.deepEqual(output, { amount: 18.421, currency: 'EUR', rate: 0.9215, date: '2024-05-17' });
      assert.equal(rates.requests.length, 1);
      assert.equal(new URL(rates.requests[0]?.url ?? '').host, 'api.frankfurter.app');
    });
  });
});
