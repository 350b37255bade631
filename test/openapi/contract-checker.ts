/**
 * Checks real HTTP answers against the OpenAPI document: the operation is
 * found by method and path template, the status must be documented, a JSON
 * body must match the status's schema (ajv 2020, strict), documented required
 * headers must be present, and the rate-limit headers on every authenticated
 * 2xx. Records which operations (and statuses) were exercised.
 */
import assert from 'node:assert/strict';
import type { Response } from 'supertest';
import type supertest from 'supertest';
import { OpenApiAjv, pointerToken, resolvePointer } from './openapi-ajv.js';

type Json = Record<string, unknown>;

interface Route {
  readonly method: string;
  readonly template: string;
  readonly regex: RegExp;
  readonly literals: number;
  readonly operation: Json;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** `METHOD /template` of every operation of the document. */
export function operationKeys(document: Json): string[] {
  const paths = document.paths as Record<string, Json>;
  return Object.entries(paths).flatMap(([template, item]) =>
    Object.keys(item).filter((m) => METHODS.includes(m)).map((m) => `${m.toUpperCase()} ${template}`),
  );
}

export class ContractChecker {
  readonly #document: Json;
  readonly #ajv: OpenApiAjv;
  readonly #routes: Route[];
  /** `METHOD /template` → statuses seen. */
  readonly exercised = new Map<string, Set<number>>();

  constructor(document: Json) {
    this.#document = document;
    this.#ajv = new OpenApiAjv(document);
    const paths = document.paths as Record<string, Json>;
    this.#routes = Object.entries(paths).flatMap(([template, item]) =>
      Object.entries(item)
        .filter(([m]) => METHODS.includes(m))
        .map(([method, operation]) => {
          const segments = template.split('/');
          const pattern = segments.map((s) => (/^\{[^}]+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
          return { method, template, regex: new RegExp(`^${pattern}$`), literals: segments.filter((s) => !s.startsWith('{')).length, operation: operation as Json };
        }),
    );
  }

  /** The documented route of a request; literal segments win over parameters. */
  route(method: string, path: string): Route {
    const candidates = this.#routes.filter((r) => r.method === method.toLowerCase() && r.regex.test(path)).sort((a, b) => b.literals - a.literals);
    const found = candidates[0];
    assert.ok(found, `${method.toUpperCase()} ${path} is not described in the OpenAPI document`);
    return found;
  }

  /** Validate one answer; returns it for chaining. */
  check(method: string, url: string, res: Response): Response {
    const path = new URL(url, 'http://host').pathname;
    const route = this.route(method, path);
    const key = `${route.method.toUpperCase()} ${route.template}`;
    const where = `${key} (${method.toUpperCase()} ${path}) → ${res.status}`;
    const responses = route.operation.responses as Record<string, Json>;
    let response = responses[String(res.status)];
    assert.ok(response, `${where}: status not documented (documented: ${Object.keys(responses).join(', ')}); body ${JSON.stringify(res.body)}`);
    if (typeof response.$ref === 'string') response = resolvePointer(this.#document, response.$ref) as Json;

    const headers = (response.headers ?? {}) as Record<string, Json>;
    for (const [name, header] of Object.entries(headers)) {
      const resolved = (typeof header.$ref === 'string' ? resolvePointer(this.#document, header.$ref) : header) as Json;
      const always = resolved.required === true || (header.description === 'Always present on this answer.');
      if (always) assert.ok(res.headers[name.toLowerCase()] !== undefined, `${where}: header ${name} missing`);
    }

    const content = response.content as Record<string, Json> | undefined;
    const type = String(res.headers['content-type'] ?? '');
    if (content === undefined) {
      assert.ok(res.status === 204 || res.status === 304 || type === '', `${where}: documented without a body, but answered ${type}`);
    } else if (content['application/json'] !== undefined && type.startsWith('application/json')) {
      const pointer = `/paths/${pointerToken(route.template)}/${route.method}/responses/${res.status}/content/${pointerToken('application/json')}/schema`;
      const validate = this.#ajv.validator(pointer);
      if (!validate(res.body)) {
        assert.fail(`${where}: body does not match its schema:\n${JSON.stringify(validate.errors, null, 2)}\nbody: ${JSON.stringify(res.body).slice(0, 2000)}`);
      }
    } else {
      const media = type.split(';')[0]?.trim() ?? '';
      const documented = Object.keys(content).map((m) => m.split(';')[0]?.trim());
      assert.ok(documented.includes(media), `${where}: answered ${type}, documented ${Object.keys(content).join(', ')}`);
    }
    const statuses = this.exercised.get(key) ?? new Set<number>();
    statuses.add(res.status);
    this.exercised.set(key, statuses);
    return res;
  }

  /** Send `test`, expect `status`, check the answer against the document. */
  async expect(test: supertest.Test, status: number): Promise<Response> {
    const res = await test;
    const { method, url } = test as unknown as { method: string; url: string };
    assert.equal(res.status, status, `${method} ${url}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
    return this.check(method, url, res);
  }
}
