/**
 * README drift: the README is the newcomer's guide, so what it lists must be
 * what the code has. Every setting of host/foundation/config.ts's environment schema is
 * in its configuration table (and the table names nothing else), every code
 * of the error catalog is in its error table with its status (and nothing
 * else), every top-level `bazaar` command is named, and every example folder
 * it names exists (and every example is named).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { unknownSettings } from '../../host/foundation/config.js';
import { createProgram } from '../../host/cli/program.js';
import { ERROR_CATALOG } from '../../manifests/errors.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const README = readFileSync(`${ROOT}README.md`, 'utf8');

/** The text of the `## title` section (or `### title`), up to the next heading of the same or a higher level. */
function section(title: string): string {
  const lines = README.split('\n');
  const start = lines.findIndex((l) => /^#{2,3} /.test(l) && l.replace(/^#+ /, '').trim() === title);
  assert.notEqual(start, -1, `README has no section "${title}"`);
  const level = /^#+/.exec(lines[start]!)![0].length;
  const end = lines.findIndex((l, i) => i > start && new RegExp(`^#{1,${level}} `).test(l));
  return lines.slice(start + 1, end === -1 ? undefined : end).join('\n');
}

/** The first cell of each row of the Markdown tables in `text`, without backticks. */
function firstCells(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('| ') && !/^\|[-| ]+\|$/.test(l))
    .map((l) => l.split('|')[1]!.trim());
}

/** The variable names of host/foundation/config.ts's ENV_SCHEMA, read from its source (the schema is not exported). */
function configSchemaNames(): string[] {
  const source = readFileSync(`${ROOT}host/foundation/config.ts`, 'utf8');
  const start = source.indexOf('const ENV_SCHEMA = {');
  const end = source.indexOf('} as const;', start);
  assert.ok(start !== -1 && end !== -1, 'ENV_SCHEMA not found in host/foundation/config.ts');
  const names = [...source.slice(start, end).matchAll(/^\s+([A-Z][A-Z0-9_]*): \{/gm)].map((m) => m[1]!);
  // Guards against a parse that reads too much or too little.
  assert.deepEqual(unknownSettings(Object.fromEntries(names.map((n) => [n, '1']))), [], 'a parsed name is not a host setting');
  for (const expected of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'BAZAAR_DATA_DIR', 'BAZAAR_ADMIN_KEY']) assert.ok(names.includes(expected), `${expected} not parsed`);
  return names;
}

describe('README', function () {
  it('should list every environment setting of host/foundation/config.ts in its configuration table, and no other', function () {
    const table = firstCells(section('Configuration')).map((c) => c.replace(/`/g, ''));
    const names = configSchemaNames();
    const missing = names.filter((n) => !table.includes(n));
    assert.deepEqual(missing, [], `README's configuration table lacks ${missing.join(', ')}`);
    const stale = table.filter((n) => n !== 'variable' && !names.includes(n));
    assert.deepEqual(stale, [], `README's configuration table names settings the host does not read: ${stale.join(', ')}`);
  });

  it('should list every code of the error catalog, with its status, in its error section, and no other', function () {
    const rows = section('Error codes')
      .split('\n')
      .map((l) => /^\| (\d{3}) \| `([a-z_]+)` \|/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[2]!, Number(m[1])] as const);
    const documented = new Map(rows);
    for (const [code, { status }] of Object.entries(ERROR_CATALOG)) {
      assert.equal(documented.get(code), status, `README's error table: ${code} should be listed with status ${status}`);
    }
    const stale = rows.map(([code]) => code).filter((code) => !(code in ERROR_CATALOG));
    assert.deepEqual(stale, [], `README's error table lists codes that are not in manifests/errors.ts: ${stale.join(', ')}`);
  });

  it('should name every top-level bazaar command in its CLI section', function () {
    const cli = section('CLI');
    const program = createProgram({ io: { out: () => {}, err: () => {} }, exitCode: 0 });
    const names = program.commands.map((c) => c.name());
    assert.ok(names.length >= 10, 'the program has its commands');
    // As the table writes them: `init <dir> ...`, `tenants create\|list`, `serve`.
    const missing = names.filter((name) => !new RegExp(`\`(?:npx bazaar )?${name}(?:[\\s\`\\\\|])`).test(cli));
    assert.deepEqual(missing, [], `README's CLI section does not name ${missing.join(', ')}`);
  });

  it('should name only example folders that exist, and every one of them', function () {
    const named = new Set([...README.matchAll(/(?<![@\w])examples\/([a-z0-9][a-z0-9._-]*)/g)].map((m) => m[1]!).filter((n) => n !== 'README.md'));
    const absent = [...named].filter((name) => !existsSync(`${ROOT}examples/${name}/manifest.json`));
    assert.deepEqual(absent, [], `README names example folders that do not exist: ${absent.join(', ')}`);
    const folders = readdirSync(`${ROOT}examples`, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    const unnamed = folders.filter((f) => !named.has(f));
    assert.deepEqual(unnamed, [], `README does not name examples/${unnamed.join(', examples/')}`);
  });
});
