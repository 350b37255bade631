/**
 * The OpenAPI document itself (docs/http-api.md "Operations"): a valid OpenAPI 3.1
 * structure whose every schema compiles (ajv 2020, strict) and every `$ref`
 * resolves, and which describes exactly the routes the app mounts.
 */
import assert from 'node:assert/strict';
import { ERROR_CATALOG } from '../../manifests/errors.js';
import { SCOPES } from '../../host/foundation/scopes.js';
import { buildOpenApiDocument } from '../../host/wiring/openapi-document.js';
import { apiRoutes, operationRoutes } from '../../host/wiring/routes.js';
import { backends, useDatabase } from '../support/database-backends.js';
import { startTestHost, type TestHost } from '../support/test-host.js';
import type { Response } from 'supertest';
import { ContractChecker, operationKeys } from './contract-checker.js';
import { OpenApiAjv, pointerToken, resolvePointer } from './openapi-ajv.js';

type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * Described but not mounted, each with its reason. The test fails when one of
 * them becomes mounted, so the list only shrinks.
 */
export const DESCRIBED_NOT_MOUNTED: Readonly<Record<string, string>> = {
  // (none since main brought /metrics and the webhooks routes)
};

/**
 * Mounted, and described under another path (the OpenAPI lint forbids a
 * trailing slash in a path, so `/console/` is said in `/console`'s description).
 */
const DESCRIBED_AS: Readonly<Record<string, string>> = {
  'GET /console/': 'GET /console',
};

/** Every JSON Schema location of the document, as JSON pointers. */
function schemaPointers(document: Json): string[] {
  const pointers: string[] = [];
  const components = document.components as Json;
  for (const name of Object.keys(components.schemas as Json)) pointers.push(`/components/schemas/${pointerToken(name)}`);
  for (const [name, p] of Object.entries(components.parameters as Record<string, Json>)) if (p.schema) pointers.push(`/components/parameters/${pointerToken(name)}/schema`);
  for (const [name, h] of Object.entries(components.headers as Record<string, Json>)) if (h.schema) pointers.push(`/components/headers/${pointerToken(name)}/schema`);
  for (const [template, item] of Object.entries(document.paths as Record<string, Json>)) {
    for (const [method, op] of Object.entries(item as Record<string, Json>)) {
      const base = `/paths/${pointerToken(template)}/${method}`;
      (op.parameters as Json[] | undefined)?.forEach((p, i) => {
        if (p.schema) pointers.push(`${base}/parameters/${i}/schema`);
      });
      const body = op.requestBody as Json | undefined;
      for (const media of Object.keys((body?.content ?? {}) as Json)) pointers.push(`${base}/requestBody/content/${pointerToken(media)}/schema`);
      for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
        for (const media of Object.keys((response.content ?? {}) as Json)) pointers.push(`${base}/responses/${status}/content/${pointerToken(media)}/schema`);
        for (const [name, h] of Object.entries((response.headers ?? {}) as Record<string, Json>)) if (h.schema) pointers.push(`${base}/responses/${status}/headers/${pointerToken(name)}/schema`);
      }
    }
  }
  return pointers;
}

/** Every `$ref` string in the document, with where it is. */
function refs(node: unknown, at = ''): { at: string; ref: string }[] {
  if (Array.isArray(node)) return node.flatMap((v, i) => refs(v, `${at}/${i}`));
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [{ at, ref: v }] : refs(v, `${at}/${pointerToken(k)}`)));
}

describe('openapi document', () => {
  const document = buildOpenApiDocument();
  const paths = document.paths as Record<string, Record<string, Json>>;
  const operations = Object.entries(paths).flatMap(([template, item]) =>
    Object.entries(item).map(([method, op]) => ({ template, method, op })),
  );

  it('should have the OpenAPI 3.1 top-level structure', () => {
    assert.match(String(document.openapi), /^3\.1\.\d+$/);
    const info = document.info as Json;
    assert.equal(typeof info.title, 'string');
    assert.equal(typeof info.version, 'string');
    assert.equal(typeof document.paths, 'object');
    const components = document.components as Json;
    for (const key of Object.keys(components)) {
      assert.ok(['schemas', 'responses', 'parameters', 'examples', 'requestBodies', 'headers', 'securitySchemes', 'links', 'callbacks', 'pathItems'].includes(key), key);
      for (const name of Object.keys(components[key] as Json)) assert.match(name, /^[a-zA-Z0-9._-]+$/, `components.${key}.${name}`);
    }
    assert.deepEqual((document.security as Json[]).map((s) => Object.keys(s)), [['bearerAuth']]);
  });

  it('should give every operation a unique operationId, a tag known to the document, responses with descriptions, and declared path parameters', () => {
    const ids = new Set<string>();
    const tags = new Set((document.tags as Json[]).map((t) => t.name));
    for (const { template, method, op } of operations) {
      const where = `${method.toUpperCase()} ${template}`;
      assert.ok(template.startsWith('/'), where);
      assert.ok(METHODS.includes(method), where);
      assert.equal(typeof op.operationId, 'string', where);
      assert.ok(!ids.has(op.operationId as string), `${where}: duplicate operationId`);
      ids.add(op.operationId as string);
      for (const tag of op.tags as string[]) assert.ok(tags.has(tag), `${where}: tag ${tag}`);
      const responses = op.responses as Record<string, Json>;
      assert.ok(Object.keys(responses).length > 0, where);
      for (const [status, response] of Object.entries(responses)) {
        assert.match(status, /^[1-5][0-9][0-9]$/, where);
        assert.equal(typeof response.description, 'string', `${where} ${status}`);
      }
      const declared = ((op.parameters ?? []) as Json[])
        .map((p) => (typeof p.$ref === 'string' ? (resolvePointer(document, p.$ref) as Json) : p))
        .filter((p) => p.in === 'path');
      const templated = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      assert.deepEqual(declared.map((p) => p.name).sort(), [...templated].sort(), `${where}: path parameters`);
      for (const p of declared) assert.equal(p.required, true, `${where}: ${String(p.name)} must be required`);
    }
  });

  it('should state the required scopes of each operation (security, x-required-scopes and description)', () => {
    for (const { template, method, op } of operations) {
      const where = `${method.toUpperCase()} ${template}`;
      const scopes = op['x-required-scopes'] as string[];
      assert.ok(Array.isArray(scopes), where);
      for (const s of scopes) assert.ok((SCOPES as readonly string[]).includes(s), `${where}: ${s}`);
      const security = op.security as Json[];
      if (op['x-keyless'] === true) {
        assert.deepEqual(security, [], where);
      } else {
        assert.deepEqual(security, [{ bearerAuth: scopes }], where);
        for (const s of scopes) assert.ok(String(op.description).includes(`\`${s}\``), `${where}: description names ${s}`);
        assert.ok((op.responses as Json)['401'], `${where}: 401`);
        if (scopes.length > 0) assert.ok(((op.responses as Record<string, Json>)['403']?.['x-error-codes'] as string[]).includes('forbidden'), `${where}: 403 forbidden`);
      }
    }
  });

  it('should list, for every error status, codes of that status from the catalog, and use every catalog code somewhere', () => {
    const used = new Set<string>();
    for (const { template, method, op } of operations) {
      for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
        const codes = response['x-error-codes'] as string[] | undefined;
        if (Number(status) >= 400) assert.ok(codes && codes.length > 0, `${method.toUpperCase()} ${template} ${status}: x-error-codes`);
        for (const code of codes ?? []) {
          const entry = (ERROR_CATALOG as Record<string, { status: number }>)[code];
          assert.ok(entry, `${code} is in the catalog`);
          assert.equal(String(entry.status), status, `${method.toUpperCase()} ${template}: ${code} under ${status}`);
          used.add(code);
        }
      }
    }
    assert.deepEqual(Object.keys(ERROR_CATALOG).filter((c) => !used.has(c)), []);
  });

  it('should resolve every $ref', () => {
    const broken = refs(document).filter(({ ref }) => resolvePointer(document, ref) === undefined);
    assert.deepEqual(broken, []);
  });

  it('should compile every schema with ajv 2020 in strict mode', () => {
    const ajv = new OpenApiAjv(document);
    const failures: string[] = [];
    const pointers = schemaPointers(document);
    for (const pointer of pointers) {
      try {
        ajv.validator(pointer);
      } catch (err) {
        failures.push(`${pointer}: ${(err as Error).message}`);
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(pointers.length > 200, `compiled ${pointers.length} schemas`);
  });

  it('should put Idempotency-Key on the POSTs that honour it, and pagination on every list', () => {
    const withKey = operations.filter(({ op }) => ((op.parameters ?? []) as Json[]).some((p) => p.$ref === '#/components/parameters/IdempotencyKey'));
    assert.deepEqual(withKey.map(({ method, template }) => `${method.toUpperCase()} ${template}`).sort(), [
      'POST /v1/installs',
      'POST /v1/installs/{id}/executions',
      'POST /v1/invoices/{id}/pay',
      'POST /v1/packages',
      'POST /v1/plugins/{name}/execute',
      'POST /v1/plugins/{name}/ratings',
      'POST /v1/subscription/upgrade',
      'POST /v1/tenants',
      'POST /v1/webhooks',
    ]);
    for (const { template, method, op } of operations) {
      const schema = (((op.responses as Record<string, Json>)['200']?.content as Record<string, Json> | undefined)?.['application/json']?.schema ?? {}) as Json;
      const isPage = (schema.properties as Json | undefined)?.nextCursor !== undefined;
      const paginated = ((op.parameters ?? []) as Json[]).some((p) => p.$ref === '#/components/parameters/Cursor');
      // /v1/me/plugins answers a page shape with nextCursor always null: not paginated.
      if (isPage && template !== '/v1/me/plugins') assert.ok(paginated, `${method.toUpperCase()} ${template}: limit/cursor`);
    }
  });
});

for (const backend of backends.slice(0, 1)) {
  describe(`openapi routes (${backend.name})`, () => {
    const database = useDatabase(backend);
    let host: TestHost;
    before(async () => {
      host = await startTestHost(database.current);
    });
    after(() => host.close());

    it('should describe every route the app mounts, and mount every route it describes (but the listed exceptions)', () => {
      const mounted = new Set<string>();
      for (const router of [...operationRoutes(host.deps), ...apiRoutes(host.deps)]) {
        for (const layer of router.stack) {
          const template = String(layer.path).replace(/:([A-Za-z0-9_]+)/g, '{$1}');
          for (const method of layer.methods) {
            const key = `${method} ${template}`;
            if (method !== 'HEAD') mounted.add(DESCRIBED_AS[key] ?? key);
          }
        }
      }
      const described = new Set(operationKeys(buildOpenApiDocument()));
      const notDescribed = [...mounted].filter((k) => !described.has(k)).sort();
      const notMounted = [...described].filter((k) => !mounted.has(k) && DESCRIBED_NOT_MOUNTED[k] === undefined).sort();
      const nowMounted = Object.keys(DESCRIBED_NOT_MOUNTED).filter((k) => mounted.has(k));
      assert.deepEqual(
        { notDescribed, notMounted, nowMountedRemoveFromExceptions: nowMounted },
        { notDescribed: [], notMounted: [], nowMountedRemoveFromExceptions: [] },
      );
      assert.ok(mounted.size >= 40, `${mounted.size} routes mounted`);
    });

    it('should serve the document keyless at GET /openapi.json, with an ETag', async () => {
      const res = await host.http().get('/openapi.json').expect(200).expect('Content-Type', /application\/json/);
      assert.deepEqual(res.body, JSON.parse(JSON.stringify(buildOpenApiDocument())));
      assert.ok(res.headers['x-request-id']);
      assert.equal(res.headers['x-ratelimit-limit'], undefined);
      await host.http().get('/openapi.json').set('If-None-Match', String(res.headers.etag)).expect(304);
      // A bad key does not matter: the route is before authentication.
      await host.http().get('/openapi.json').set('Authorization', 'Bearer nope').expect(200);
    });
  });
}

describe('openapi contract checker', () => {
  const checker = new ContractChecker(buildOpenApiDocument() as Record<string, unknown>);
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    ({ status, body, headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'r', 'x-content-type-options': 'nosniff', ...headers } }) as unknown as Response;
  const limited = { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '59', 'x-ratelimit-reset': '1' };
  const tenant = {
    id: '5b0c8f5e-8d2a-4a43-9a53-3f7f1c9a2b10', name: 'Acme', slug: 'acme', ownerEmail: 'o@acme.test', tier: 'pro', status: 'active',
    createdAt: '2031-01-01T00:00:00.000Z', updatedAt: '2031-01-01T00:00:00.000Z',
  };

  it('should accept an answer that matches, and refuse an extra field, a wrong type, an undocumented status or error code', () => {
    checker.check('GET', `/v1/tenants/${tenant.id}`, answer(200, tenant, limited));
    assert.throws(() => checker.check('GET', `/v1/tenants/${tenant.id}`, answer(200, { ...tenant, secret: 1 }, limited)), /does not match/);
    assert.throws(() => checker.check('GET', `/v1/tenants/${tenant.id}`, answer(200, { ...tenant, tier: 'gold' }, limited)), /does not match/);
    assert.throws(() => checker.check('GET', `/v1/tenants/${tenant.id}`, answer(200, tenant)), /X-RateLimit-Limit missing/);
    assert.throws(() => checker.check('GET', `/v1/tenants/${tenant.id}`, answer(409, { error: { code: 'conflict', message: 'm' }, requestId: 'r' })), /not documented/);
    const wrongCode = { error: { code: 'plan_limit', message: 'm' }, requestId: 'r' };
    assert.throws(() => checker.check('GET', `/v1/tenants/${tenant.id}`, answer(404, wrongCode)), /does not match/);
    assert.throws(() => checker.check('GET', '/v1/nowhere', answer(200, {})), /not described/);
  });
});
