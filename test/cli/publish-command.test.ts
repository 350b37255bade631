import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { readPackageDirectory } from '../../marketplace/package-archive.js';
import { EXAMPLES_DIR, PACKAGE_FIXTURES_DIR, errorCodeOf, parseJsonOutput, runCliProcess } from '../support/run-cli.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  sha256: string;
}

/** A stand-in host answering POST /v1/packages with a scripted status and body. */
async function startHost(status: number, body: unknown): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, sha256: createHash('sha256').update(Buffer.concat(chunks)).digest('hex') });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

const TRUST = {
  score: 82,
  risk: 'low',
  factors: { codeQuality: 90, executionHistory: 70, security: 95, community: 50, maintenance: 80, compliance: 100 },
  evidence: [],
};

describe('bazaar publish', () => {
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it('should upload the tarball with the key and print the 201 answer (exit 0)', async () => {
    const host = await startHost(201, { name: '@examples/slugify', version: '1.0.0', status: 'pending_review', sha256: 'abc', trust: TRUST });
    server = host.server;
    const run = await runCliProcess(['publish', path.join(EXAMPLES_DIR, 'slugify'), '--host', host.url, '--key', 'bzr_0123456789abcdef0123456789abcdef', '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(parseJsonOutput(run)['status'], 'pending_review');
    const [request] = host.received;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.url, '/v1/packages');
    assert.equal(request?.headers['content-type'], 'application/gzip');
    assert.equal(request?.headers['authorization'], 'Bearer bzr_0123456789abcdef0123456789abcdef');
    assert.equal(request?.sha256, (await readPackageDirectory(path.join(EXAMPLES_DIR, 'slugify'))).sha256);
  });

  it('should read --host and --key from BAZAAR_HOST and BAZAAR_KEY and print the trust breakdown', async () => {
    const host = await startHost(201, { name: '@examples/slugify', version: '1.0.0', status: 'approved', sha256: 'abc', trust: TRUST });
    server = host.server;
    const run = await runCliProcess(['publish', path.join(EXAMPLES_DIR, 'slugify')], { env: { BAZAAR_HOST: host.url, BAZAAR_KEY: 'bzr_key' } });
    assert.equal(run.code, 0, run.stderr);
    for (const factor of Object.keys(TRUST.factors)) assert.ok(run.stdout.includes(factor), factor);
    assert.equal(host.received[0]?.headers['authorization'], 'Bearer bzr_key');
  });

  it('should ask for a dry run with --dry-run and print the status it would get, the six factors and what lowers them', async () => {
    const trust = { ...TRUST, evidence: [{ factor: 'compliance', signal: 'missing-homepage', detail: 'no homepage', impact: -15, severity: 'low' }] };
    const host = await startHost(200, { name: '@examples/slugify', version: '1.0.0', status: 'approved', sha256: 'abc', trust, dryRun: true });
    server = host.server;
    const run = await runCliProcess(['publish', path.join(EXAMPLES_DIR, 'slugify'), '--dry-run', '--host', host.url, '--key', 'k']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(host.received[0]?.url, '/v1/packages?dryRun=true');
    assert.match(run.stdout, /^dry run: @examples\/slugify@1\.0\.0 would be approved \(nothing was published\)$/m);
    assert.match(run.stdout, /trust: +82 \(low risk\)/);
    for (const [factor, score] of Object.entries(TRUST.factors)) assert.match(run.stdout, new RegExp(`^ +${factor} +${score}$`, 'm'));
    assert.match(run.stdout, /what lowers it:\n +compliance +-15 +no homepage/);
  });

  it('should exit 1 and relay the code when the host refuses', async () => {
    for (const [status, code] of [[409, 'version_exists'], [403, 'forbidden'], [401, 'unauthorized']] as const) {
      const host = await startHost(status, { error: { code, message: 'refused' }, requestId: 'r1' });
      server = host.server;
      const run = await runCliProcess(['publish', path.join(EXAMPLES_DIR, 'slugify'), '--host', host.url, '--key', 'k', '--json']);
      assert.equal(run.code, 1, code);
      assert.equal(errorCodeOf(run), code);
      await new Promise((resolve) => host.server.close(resolve));
      server = undefined;
    }
  });

  it('should exit 3 when the host cannot be reached', async () => {
    const host = await startHost(201, {});
    await new Promise((resolve) => host.server.close(resolve)); // a port nobody listens on any more
    const run = await runCliProcess(['publish', path.join(EXAMPLES_DIR, 'slugify'), '--host', host.url, '--key', 'k', '--json']);
    assert.equal(run.code, 3);
    assert.equal(errorCodeOf(run), 'dependency_unavailable');
  });

  it('should exit 2 without uploading a package the host would refuse, or without --host', async () => {
    const host = await startHost(201, {});
    server = host.server;
    const invalid = await runCliProcess(['publish', path.join(PACKAGE_FIXTURES_DIR, 'invalid-manifest'), '--host', host.url, '--key', 'k', '--json']);
    assert.equal(invalid.code, 2);
    assert.equal(errorCodeOf(invalid), 'invalid_manifest');
    assert.equal(host.received.length, 0);
    const usage = await runCliProcess(['publish', path.join(EXAMPLES_DIR, 'slugify'), '--key', 'k', '--json']);
    assert.equal(usage.code, 2);
    assert.equal(errorCodeOf(usage), 'invalid_request');
  });
});
