/**
 * The shadow bridge on its own, with an in-memory kv store: kv not granted is
 * refused and recorded once; granted kv reads the real store and keeps every
 * write, delete and listing in the run's overlay, the store untouched; a
 * fetch to a host not granted is refused and recorded (distinct calls only).
 */
import assert from 'node:assert/strict';
import type { PluginManifest } from '../../../manifests/plugin-manifest.schema.js';
import type { JsonValue } from '../../../runtime/types.js';
import type { Install } from '../../../host/installs/install.js';
import type { KvStore } from '../../../host/installs/ports.js';
import { shadowBridgeFactory } from '../../../host/installs/shadow-bridge.js';

function memoryStore(rows: Record<string, JsonValue>): KvStore & { writes: number } {
  const store = {
    writes: 0,
    get: async (_id: string, key: string) => rows[key] ?? null,
    put: async () => {
      store.writes++;
      return true;
    },
    delete: async () => {
      store.writes++;
      return true;
    },
    list: async (_id: string, prefix: string) => Object.keys(rows).filter((k) => k.startsWith(prefix)).sort(),
  };
  return store;
}

const manifest = (permissions: unknown) => ({ name: '@t/p', version: '1.1.0', permissions }) as unknown as PluginManifest;
const install = (permissions: Install['permissions']) => ({ id: 'i-1', permissions }) as unknown as Install;
const fetchPolicy = { allowPrivateNetworks: false };

describe('shadow bridge', () => {
  it('should refuse kv that is not granted and record it once', async () => {
    const store = memoryStore({});
    const { bridge, denied } = shadowBridgeFactory({ kv: store, fetch: fetchPolicy })(install({ kv: false, network: { hosts: [] } }), manifest({ kv: true }));
    await assert.rejects(bridge.kv!.get('a'), /kv: not granted/);
    await assert.rejects(bridge.kv!.put('a', 1), /kv: not granted/);
    assert.deepEqual(denied(), [{ kind: 'kv' }]);
    assert.equal(store.writes, 0);
  });

  it('should read the real kv and keep writes in the overlay', async () => {
    const store = memoryStore({ 'k:1': 'one', 'k:2': 'two' });
    const { bridge, denied } = shadowBridgeFactory({ kv: store, fetch: fetchPolicy })(install({ kv: true, network: { hosts: [] } }), manifest({ kv: true }));
    const kv = bridge.kv!;
    assert.equal(await kv.get('k:1'), 'one');
    await kv.put('k:3', { n: 3 });
    assert.equal(await kv.delete('k:1'), true);
    assert.deepEqual(await kv.get('k:3'), { n: 3 });
    assert.equal(await kv.get('k:1'), null);
    assert.deepEqual(await kv.list('k:'), ['k:2', 'k:3']);
    assert.equal(store.writes, 0, 'the real store was never written');
    assert.deepEqual(denied(), []);
  });

  it('should refuse and record fetches to hosts not granted, distinct', async () => {
    const { bridge, denied } = shadowBridgeFactory({ kv: memoryStore({}), fetch: fetchPolicy })(
      install({ kv: false, network: { hosts: ['api.ok.test'] } }),
      manifest({ network: { hosts: ['api.ok.test', 'api.x.com'] } }),
    );
    await assert.rejects(bridge.fetch!.fetch({ url: 'https://api.x.com/a' }), /not among the install's permitted network hosts/);
    await assert.rejects(bridge.fetch!.fetch({ url: 'https://api.x.com/b' }));
    await assert.rejects(bridge.fetch!.fetch({ url: 'https://evil.test/' }));
    assert.deepEqual(denied(), [{ kind: 'network', host: 'api.x.com' }, { kind: 'network', host: 'evil.test' }]);
  });
});
