/**
 * The plugin code cache: one blob read per package however many executions
 * ask at once, and least-recently-used eviction by entry count and by the
 * unpacked size of the cached sources.
 */
import assert from 'node:assert/strict';
import { readPackageArchive } from '../../../marketplace/package-archive.js';
import { PluginCodeCache } from '../../../host/executions/plugin-code-cache.js';
import { packageOf } from './execution-host.js';

interface Stored {
  readonly sha256: string;
  readonly unpackedBytes: number;
}

/** A blob store of packages `names` (each with `bytes` of source), counting reads per hash. */
async function blobsOf(names: readonly string[], bytes = 1000) {
  const blobs = new Map<string, Buffer>();
  const reads = new Map<string, number>();
  const stored: Stored[] = [];
  for (const name of names) {
    const tgz = packageOf({ name }, { 'index.js': `export function run() { return ${JSON.stringify('x'.repeat(bytes))}; }` });
    const pkg = await readPackageArchive(tgz);
    blobs.set(pkg.sha256, tgz);
    stored.push({ sha256: pkg.sha256, unpackedBytes: pkg.unpackedBytes });
  }
  const store = {
    async get(sha256: string): Promise<Buffer | null> {
      reads.set(sha256, (reads.get(sha256) ?? 0) + 1);
      return blobs.get(sha256) ?? null;
    },
  };
  return { store, stored, reads: (s: Stored) => reads.get(s.sha256) ?? 0 };
}

describe('executions: plugin code cache', () => {
  it('should read a package once for concurrent and later executions', async () => {
    const { store, stored, reads } = await blobsOf(['@t/a']);
    const cache = new PluginCodeCache({ blobs: store });
    const [a] = stored;
    const codes = await Promise.all([cache.get(a!.sha256), cache.get(a!.sha256), cache.get(a!.sha256)]);
    assert.equal(codes[0]!.sha256, a!.sha256);
    assert.ok(codes.every((c) => c === codes[0]));
    assert.equal(await cache.get(a!.sha256), codes[0]);
    assert.equal(reads(a!), 1);
  });

  it('should evict the least recently used package beyond maxEntries', async () => {
    const { store, stored, reads } = await blobsOf(['@t/a', '@t/b', '@t/c']);
    const [a, b, c] = stored as [Stored, Stored, Stored];
    const cache = new PluginCodeCache({ blobs: store, maxEntries: 2 });
    await cache.get(a.sha256);
    await cache.get(b.sha256);
    await cache.get(a.sha256); // a is now the more recent
    await cache.get(c.sha256); // b goes
    assert.equal(cache.size, 2);
    await cache.get(a.sha256);
    assert.equal(reads(a), 1, 'a stayed');
    await cache.get(b.sha256);
    assert.equal(reads(b), 2, 'b was evicted and read again');
  });

  it('should evict by the unpacked size of the sources beyond maxBytes', async () => {
    const { store, stored, reads } = await blobsOf(['@t/a', '@t/b'], 10_000);
    const [a, b] = stored as [Stored, Stored];
    // Room for one package, not two.
    const cache = new PluginCodeCache({ blobs: store, maxBytes: Math.max(a.unpackedBytes, b.unpackedBytes) + 100 });
    await cache.get(a.sha256);
    await cache.get(b.sha256);
    assert.equal(cache.size, 1);
    await cache.get(b.sha256);
    assert.equal(reads(b), 1, 'the newest stays');
    await cache.get(a.sha256);
    assert.equal(reads(a), 2, 'the older one made room');
  });

  it('should not cache a failed read', async () => {
    const { store, stored, reads } = await blobsOf(['@t/a']);
    const cache = new PluginCodeCache({ blobs: store });
    await assert.rejects(cache.get('0'.repeat(64)), /is missing/);
    await assert.rejects(cache.get('0'.repeat(64)), /is missing/);
    assert.equal(cache.size, 0);
    await cache.get(stored[0]!.sha256);
    assert.equal(reads(stored[0]!), 1);
  });
});
