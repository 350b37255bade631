import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { closestName, editDistance } from '../../manifests/closest-name.js';
import { parseManifest, validateManifest, type ManifestValidation } from '../../manifests/manifest-validator.js';

const examples = path.resolve(import.meta.dirname, '../../../examples');

function base(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: '@acme/hello', version: '1.0.0', main: 'index.js', engine: '^1.0.0', license: 'MIT', actions: { hello: {} }, ...overrides };
}

/** `path keyword` of every issue, for order-independent assertions. */
function issuesOf(result: ManifestValidation): string[] {
  assert.equal(result.valid, false, 'expected the manifest to be refused');
  return result.issues.map((i) => `${i.path} ${i.keyword}`);
}

function assertIssue(result: ManifestValidation, path: string, keyword: string): void {
  const issues = issuesOf(result);
  assert.ok(issues.includes(`${path} ${keyword}`), `expected "${path} ${keyword}" among: ${issues.join(', ')}`);
}

describe('validateManifest', () => {
  describe('valid manifests', () => {
    const folders = readdirSync(examples, { withFileTypes: true }).filter((entry) => entry.isDirectory());
    for (const { name } of folders) {
      it(`should accept examples/${name}/manifest.json`, () => {
        const result = parseManifest(readFileSync(path.join(examples, name, 'manifest.json'), 'utf8'));
        assert.deepEqual(result.issues, []);
        assert.equal(result.valid, true);
      });
    }

    it('should accept the minimal manifest and prerelease versions', () => {
      assert.equal(validateManifest(base()).valid, true);
      assert.equal(validateManifest(base({ version: '2.0.0-beta.1+build.5', engine: '>=1.0.0-0' })).valid, true);
    });
  });

  describe('rules', () => {
    const cases: [string, Record<string, unknown>, string, string][] = [
      ['a name without scope', { name: 'hello' }, '/name', 'pattern'],
      ['an upper-case name', { name: '@Acme/Hello' }, '/name', 'pattern'],
      ['a non-semver version', { version: '1.0' }, '/version', 'pattern'],
      ['an engine range the host does not satisfy', { engine: '^2.0.0' }, '/engine', 'engine'],
      ['an engine that is not a range', { engine: 'latest!' }, '/engine', 'semverRange'],
      ['a main outside the package', { main: '../index.js' }, '/main', 'pattern'],
      ['a main that is not JavaScript', { main: 'index.ts' }, '/main', 'pattern'],
      ['an absolute main', { main: '/index.js' }, '/main', 'pattern'],
      ['no actions', { actions: {} }, '/actions', 'minProperties'],
      ['an action name that is not an identifier', { actions: { 'do-it': {} } }, '/actions', 'propertyNames'],
      ['an unknown field in an action', { actions: { hello: { inputs: {} } } }, '/actions/hello', 'additionalProperties'],
      ['a defaultAction naming no action', { defaultAction: 'bye' }, '/defaultAction', 'actionExists'],
      ['an invalid embedded input schema', { actions: { hello: { input: { type: 'strin' } } } }, '/actions/hello/input', 'schema'],
      ['an invalid config schema', { config: { type: 'object', properties: { a: { minLength: -1 } } } }, '/config', 'schema'],
      ['a non-boolean kv permission', { permissions: { kv: 'yes' } }, '/permissions/kv', 'type'],
      ['a network permission without hosts', { permissions: { network: {} } }, '/permissions/network', 'required'],
      ['a network host with a scheme', { permissions: { network: { hosts: ['https://api.example.com'] } } }, '/permissions/network/hosts/0', 'pattern'],
      ['an unknown permission', { permissions: { fs: true } }, '/permissions', 'additionalProperties'],
      ['a CPU limit of 0', { limits: { cpuMs: 0 } }, '/limits/cpuMs', 'minimum'],
      ['a memory limit over 1024 MB', { limits: { memoryMb: 4096 } }, '/limits/memoryMb', 'maximum'],
      ['a fractional timeout', { limits: { timeoutMs: 1.5 } }, '/limits/timeoutMs', 'type'],
      ['an unknown top-level field', { colour: 'red' }, '', 'additionalProperties'],
      ['a negative price', { pricing: { perExecutionMicros: -1 } }, '/pricing/perExecutionMicros', 'minimum'],
      ['a fractional price', { pricing: { perExecutionMicros: 0.5 } }, '/pricing/perExecutionMicros', 'type'],
      ['a homepage that is not http(s)', { homepage: 'javascript:alert(1)' }, '/homepage', 'pattern'],
    ];
    for (const [what, overrides, path, keyword] of cases) {
      it(`should refuse ${what} (${path || '/'} ${keyword})`, () => {
        assertIssue(validateManifest(base(overrides)), path, keyword);
      });
    }

    it('should report missing required fields', () => {
      const { name: _name, actions: _actions, ...rest } = base();
      const result = validateManifest(rest);
      assertIssue(result, '', 'required');
      assert.equal(result.issues.filter((i) => i.keyword === 'required').length, 2);
    });

    it('should refuse values that are not objects', () => {
      for (const value of [null, [], 'manifest', 42]) assertIssue(validateManifest(value), '', 'type');
    });
  });

  describe('unknown fields', () => {
    const unknownFields = (result: ManifestValidation) => result.issues.filter((i) => i.keyword === 'additionalProperties');

    it('should name a misspelled top-level field and suggest the known one, before the "required" it causes', () => {
      const { license: _license, ...rest } = base();
      const result = validateManifest({ ...rest, licence: 'MIT' });
      assert.equal(result.valid, false);
      // First, so a one-line summary (the publish error's) names the cause.
      assert.deepEqual(result.issues[0], {
        path: '',
        keyword: 'additionalProperties',
        message: 'unknown field "licence" — did you mean "license"?',
        params: { additionalProperty: 'licence', suggestion: 'license' },
      });
      const required = result.issues.find((i) => i.keyword === 'required');
      assert.equal(required?.message, 'must have required property \'license\' ("licence" looks like a misspelling of it)');
    });

    it('should suggest at every nested level: actions, permissions, network, limits, pricing', () => {
      const result = validateManifest(
        base({
          actions: { hello: { inputs: {} } },
          permissions: { KV: true, network: { host: ['a.example'] } },
          limits: { cpuMS: 5, timoeutMs: 10 },
          pricing: { perExecutionMicro: 1 },
        }),
      );
      assert.deepEqual(
        unknownFields(result).map((i) => `${i.path} ${i.message}`),
        [
          '/actions/hello unknown field "inputs" — did you mean "input"?',
          '/permissions unknown field "KV" — did you mean "kv"?',
          '/permissions/network unknown field "host" — did you mean "hosts"?',
          '/limits unknown field "cpuMS" — did you mean "cpuMs"?',
          '/limits unknown field "timoeutMs" — did you mean "timeoutMs"?',
          '/pricing unknown field "perExecutionMicro" — did you mean "perExecutionMicros"?',
        ],
      );
    });

    it('should name an unknown field with no close match without suggesting anything', () => {
      const result = validateManifest(base({ colour: 'red', permissions: { fs: true } }));
      const issues = unknownFields(result);
      assert.deepEqual(issues.map((i) => `${i.path || '/'} ${i.message}`), ['/ unknown field "colour"', '/permissions unknown field "fs"']);
      for (const issue of issues) assert.equal(issue.params?.['suggestion'], undefined);
    });

    it('should keep a huge unknown key out of the message', () => {
      const key = 'k'.repeat(60_000);
      const [issue] = unknownFields(validateManifest(base({ [key]: 1 })));
      assert.ok(issue !== undefined && issue.message.length < 120, issue?.message.slice(0, 200));
    });
  });

  describe('hostile JSON', () => {
    it('should flag __proto__ keys at several levels without touching prototypes', () => {
      const text = JSON.stringify(base()).replace(
        /^\{/,
        '{"__proto__":{"polluted":true},"permissions":{"__proto__":{"kv":true}},"config":{"type":"object","properties":{"__proto__":{}}},',
      );
      const result = parseManifest(text);
      assertIssue(result, '/__proto__', 'forbiddenKey');
      assertIssue(result, '/permissions/__proto__', 'forbiddenKey');
      assertIssue(result, '/config/properties/__proto__', 'forbiddenKey');
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    });

    it('should treat constructor keys as ordinary names', () => {
      assertIssue(parseManifest(JSON.stringify(base({ constructor: { prototype: {} } }))), '', 'additionalProperties');
      // An action may be called "constructor": it is an identifier, and only own keys are looked up.
      assert.equal(validateManifest(base({ actions: { constructor: {} }, defaultAction: 'constructor' })).valid, true);
      assertIssue(validateManifest(base({ defaultAction: 'constructor' })), '/defaultAction', 'actionExists');
    });

    it('should refuse 100,000 levels of nesting with a located issue', () => {
      const text = `{"name":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
      const result = parseManifest(text);
      const issue = result.issues[0];
      assert.equal(issue?.keyword, 'maxDepth');
      assert.match(issue?.path ?? '', /^\/name(\/0)+$/);
      let deep: Record<string, unknown> = {};
      const root = deep;
      for (let i = 0; i < 100_000; i++) deep = (deep['a'] = {}) as Record<string, unknown>;
      const parsed = validateManifest(base({ config: root }));
      assert.equal(parsed.issues[0]?.keyword, 'maxDepth');
      assert.match(parsed.issues[0]?.path ?? '', /^\/config(\/a)+$/);
    });

    it('should refuse a 10 MB string', () => {
      const huge = 'x'.repeat(10_000_000);
      assertIssue(validateManifest(base({ description: huge })), '/description', 'maxLength');
      assertIssue(parseManifest(JSON.stringify(base({ description: huge }))), '', 'maxBytes');
    });

    it('should refuse a huge array', () => {
      assertIssue(validateManifest(base({ keywords: new Array(200_000).fill('k') })), '', 'maxNodes');
    });

    it('should report text that is not JSON as an issue', () => {
      assertIssue(parseManifest('{"name": "@acme/x",'), '', 'json');
      assertIssue(parseManifest(''), '', 'json');
    });
  });
});

describe('closestName', () => {
  it('should count insertions, deletions, substitutions and adjacent swaps as one edit each', () => {
    assert.equal(editDistance('licence', 'license'), 1);
    assert.equal(editDistance('verison', 'version'), 1);
    assert.equal(editDistance('main', 'mian'), 1);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });

  it('should suggest only a near name, ignoring case, the first of equally near ones', () => {
    assert.equal(closestName('Licence', ['name', 'license']), 'license');
    assert.equal(closestName('defaultaction', ['defaultAction']), 'defaultAction');
    assert.equal(closestName('fs', ['kv', 'network']), undefined);
    assert.equal(closestName('colour', ['config', 'author']), undefined);
    assert.equal(closestName('ab', ['ac', 'ad']), 'ac');
  });
});
