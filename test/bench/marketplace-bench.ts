/**
 * Marketplace figures for `npm run bench`: publish throughput of a 50 KB
 * package over HTTP, and listing latency with 10,000 published versions, on
 * the embedded database and (when DATABASE_URL is set) on real PostgreSQL.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packDirectory } from '../../marketplace/package-archive.js';
import { BENCH_ADMIN_KEY, benchBackends, call, startBenchHost, type BenchHost } from './bench-host.js';
import { formatUs, printReport, timeSerial, type ReportRow } from './measure.js';

const PUBLISHES = 60;
const PLUGINS = 1000;
const VERSIONS_PER_PLUGIN = 10;

/** A real, readable ~50 KB plugin: a word-frequency table and a function using it. */
function bigPluginSource(): string {
  const words = Array.from({ length: 3000 }, (_, i) => `  "word${i.toString(36)}": ${(i * 7919) % 1000},`);
  return `const FREQUENCIES = {\n${words.join('\n')}\n};\n\nexport function rank(input) {\n  return { score: (input.words ?? []).reduce((sum, w) => sum + (FREQUENCIES[w] ?? 0), 0) };\n}\n`;
}

async function buildPackages(count: number): Promise<Buffer[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bazaar-bench-pkg-'));
  const source = bigPluginSource();
  const packages: Buffer[] = [];
  try {
    writeFileSync(path.join(dir, 'index.js'), source);
    for (let i = 0; i < count; i++) {
      const manifest = {
        name: '@bench/word-rank',
        version: `1.0.${i}`,
        description: 'Ranks words by a frequency table',
        main: 'index.js',
        engine: '^1.0.0',
        license: 'MIT',
        homepage: 'https://example.com/word-rank',
        actions: { rank: { input: { type: 'object' }, output: { type: 'object' } } },
      };
      writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
      packages.push(await packDirectory(dir));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return packages;
}

async function publish(host: BenchHost, key: string, bytes: Buffer): Promise<void> {
  const res = await fetch(`${host.url}/v1/packages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/gzip' },
    body: bytes,
  });
  if (res.status !== 201) throw new Error(`publish: ${res.status} ${await res.text()}`);
}

async function publishFigures(host: BenchHost, key: string, packages: Buffer[]): Promise<ReportRow[]> {
  const half = Math.floor(packages.length / 2);
  let started = performance.now();
  for (const bytes of packages.slice(0, half)) await publish(host, key, bytes);
  const serial = half / ((performance.now() - started) / 1000);
  const rest = packages.slice(half);
  started = performance.now();
  for (let i = 0; i < rest.length; i += 4) await Promise.all(rest.slice(i, i + 4).map((b) => publish(host, key, b)));
  const concurrent = rest.length / ((performance.now() - started) / 1000);
  const kb = (packages[0]!.length / 1024).toFixed(0);
  return [
    { name: `publish, one at a time (${kb} KB gzip, ~50 KB source) — ${host.name}`, figure: `${serial.toFixed(1)} packages/s` },
    { name: `publish, 4 concurrent — ${host.name}`, figure: `${concurrent.toFixed(1)} packages/s` },
  ];
}

/**
 * 10,000 approved versions of 1,000 plugins, cloned in SQL from one version
 * published through the API (so every row has the real shape).
 */
async function seedListing(host: BenchHost): Promise<void> {
  const db = host.deps.db;
  const template = await db('plugin_versions').where({ plugin_name: '@bench/word-rank' }).first();
  await db.raw(
    `INSERT INTO plugins (name, scope, publisher_tenant_id, latest_version, description, keywords, trust_score, risk, latest_published_at)
     SELECT '@bench/plugin-' || g, 'bench', ?, '1.0.${VERSIONS_PER_PLUGIN - 1}',
            'Plugin ' || g || ' turns ' || (ARRAY['invoices','slugs','images','emails','webhooks'])[1 + g % 5] || ' into reports',
            (ARRAY['billing','text','media','mail','http'])[1 + g % 5], 40 + g % 60, 'low', now() - (g || ' minutes')::interval
     FROM generate_series(1, ?) AS g`,
    [template.publisher_tenant_id, PLUGINS],
  );
  await db.raw(
    `INSERT INTO plugin_versions (plugin_name, version, version_key, status, sha256, compressed_bytes, unpacked_bytes,
                                  manifest, analysis, trust, trust_score, trust_risk, publisher_tenant_id, published_at)
     SELECT '@bench/plugin-' || g, '1.0.' || v, '1.0.' || v, 'approved', t.sha256, t.compressed_bytes, t.unpacked_bytes,
            jsonb_set(jsonb_set(t.manifest, '{name}', to_jsonb('@bench/plugin-' || g)), '{version}', to_jsonb('1.0.' || v)),
            t.analysis, t.trust, t.trust_score, t.trust_risk, t.publisher_tenant_id, now()
     FROM generate_series(1, ?) AS g, generate_series(0, ?) AS v, plugin_versions t WHERE t.id = ?`,
    [PLUGINS, VERSIONS_PER_PLUGIN - 1, template.id],
  );
  await db.raw('ANALYZE plugins');
  await db.raw('ANALYZE plugin_versions');
}

async function listingFigures(host: BenchHost, key: string): Promise<ReportRow[]> {
  await seedListing(host);
  const rows: ReportRow[] = [];
  for (const query of ['', '?sort=recent', '?q=invoices', '?q=webhooks%20reports&sort=recent']) {
    const timing = await timeSerial(() => call(host, 'GET', `/v1/plugins${query}`, key), { warmup: 20, iterations: 300 });
    rows.push({
      name: `GET /v1/plugins${query} (10,000 versions) — ${host.name}`,
      figure: `p50 ${formatUs(timing.p50Us)}, p99 ${formatUs(timing.p99Us)}`,
    });
  }
  return rows;
}

/** Runs the marketplace measurements on every configured backend and prints one table. */
export async function runMarketplaceBench(): Promise<void> {
  const packages = await buildPackages(PUBLISHES);
  const rows: ReportRow[] = [];
  for (const backend of benchBackends()) {
    const host = await startBenchHost(backend);
    try {
      const tenant = await call(host, 'POST', '/v1/tenants', BENCH_ADMIN_KEY, { name: 'Bench', slug: 'bench', ownerEmail: 'b@bench.test', tier: 'enterprise' });
      const { key } = await call(host, 'POST', `/v1/tenants/${tenant.id}/api-keys`, BENCH_ADMIN_KEY, { name: 'bench', scopes: ['plugins:publish', 'plugins:install'] });
      rows.push(...(await publishFigures(host, key, packages)));
      rows.push(...(await listingFigures(host, key)));
    } finally {
      await host.close();
    }
  }
  if (!process.env.DATABASE_URL) rows.push({ name: 'PostgreSQL figures', figure: 'skipped: set DATABASE_URL to measure them' });
  printReport('Marketplace', rows);
}
