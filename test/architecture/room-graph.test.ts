/**
 * The shape of the product code, computed from its sources so that it stays
 * true (README "Architecture"). A room is a top-level part (`runtime`,
 * `marketplace`, `manifests`) or a first-level folder of `host/`; every
 * import counts, type-only and dynamic ones included.
 *
 * - No two rooms import each other, and no file imports itself round a cycle.
 * - `runtime/`, `marketplace/` and `manifests/` import nothing from `host/`,
 *   and never koa, knex or ioredis.
 * - `host/foundation` imports no other room of `host/`.
 * - `host/wiring` is imported by no room but `host/cli` (the entry point).
 * - The README's table of the areas lists every folder of `host/` bottom up:
 *   each imports only folders listed before it, exactly those its row names.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const PRODUCT_PARTS = ['host', 'runtime', 'marketplace', 'manifests'];

interface SourceFile {
  /** Repository-relative, with forward slashes. */
  readonly file: string;
  /** Repository-relative files it imports (relative specifiers only). */
  readonly imports: readonly string[];
  /** Package specifiers it imports. */
  readonly packages: readonly string[];
}

function productFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(REPO, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(rel);
    }
  };
  for (const part of PRODUCT_PARTS) walk(part);
  return files;
}

function parse(file: string, known: ReadonlySet<string>): SourceFile {
  const info = ts.preProcessFile(readFileSync(path.join(REPO, file), 'utf8'), true, true);
  const imports: string[] = [];
  const packages: string[] = [];
  for (const { fileName } of info.importedFiles) {
    if (!fileName.startsWith('.')) {
      packages.push(fileName);
      continue;
    }
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), fileName)).replace(/\.js$/, '.ts');
    if (known.has(target)) imports.push(target);
    else if (known.has(`${target}/index.ts`)) imports.push(`${target}/index.ts`);
    else if (target.endsWith('.ts')) assert.fail(`${file} imports ${fileName}, which is not a source file`);
  }
  return { file, imports, packages };
}

/** `host/<folder>` for files in a folder of host/, `host/(root)` for host's own files, else the top-level part. */
function roomOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] !== 'host') return parts[0]!;
  return parts.length === 2 ? 'host/(root)' : `host/${parts[1]}`;
}

/** Strongly connected components with more than one file (Tarjan). */
function fileCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component);
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

describe('the room graph of the product code', function () {
  const files = productFiles();
  const known = new Set(files);
  const sources = files.map((file) => parse(file, known));
  /** "a -> b" → the file imports that make it, for the failure message. */
  const roomEdges = new Map<string, string[]>();
  for (const { file, imports } of sources) {
    for (const target of imports) {
      const from = roomOf(file);
      const to = roomOf(target);
      if (from === to) continue;
      const key = `${from} -> ${to}`;
      roomEdges.set(key, [...(roomEdges.get(key) ?? []), `${file} -> ${target}`]);
    }
  }
  const importersOf = (room: string): string[] => [...roomEdges.keys()].filter((edge) => edge.endsWith(` -> ${room}`)).map((edge) => edge.split(' -> ')[0]!);

  it('reads every product file and finds the rooms it expects', function () {
    assert.ok(files.length > 100, `only ${files.length} source files found under ${REPO}`);
    const rooms = new Set(files.map(roomOf));
    for (const room of ['host/foundation', 'host/wiring', 'host/executions', 'runtime', 'marketplace', 'manifests']) assert.ok(rooms.has(room), `no room ${room}`);
  });

  it('has no two rooms importing each other', function () {
    const ties: string[] = [];
    for (const edge of roomEdges.keys()) {
      const [from, to] = edge.split(' -> ') as [string, string];
      const back = roomEdges.get(`${to} -> ${from}`);
      if (from < to && back !== undefined) ties.push(`${from} <-> ${to}: ${roomEdges.get(edge)![0]}; ${back[0]}`);
    }
    assert.deepEqual(ties, []);
  });

  it('has no import cycle between files', function () {
    const graph = new Map(sources.map(({ file, imports }) => [file, imports]));
    assert.deepEqual(fileCycles(graph), []);
  });

  it('keeps runtime, marketplace and manifests free of host, koa, knex and ioredis', function () {
    const offences: string[] = [];
    for (const { file, imports, packages } of sources) {
      if (file.startsWith('host/')) continue;
      for (const target of imports) if (target.startsWith('host/')) offences.push(`${file} -> ${target}`);
      for (const pkg of packages) if (/^(koa|@koa\/|knex|ioredis)/.test(pkg)) offences.push(`${file} -> ${pkg}`);
    }
    assert.deepEqual(offences, []);
  });

  it('builds host/foundation on nothing else of host', function () {
    const upward = [...roomEdges.entries()].filter(([edge]) => edge.startsWith('host/foundation -> host/')).map(([edge, why]) => `${edge}: ${why[0]}`);
    assert.deepEqual(upward, []);
  });

  it('lets only the command line import the wiring', function () {
    assert.deepEqual(importersOf('host/wiring').filter((room) => room !== 'host/cli'), []);
    assert.deepEqual(importersOf('host/cli'), []);
  });

  it('matches the README: every folder of host/ listed bottom up, with what it imports', function () {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### The areas of `host/`'));
    const rows = [...section.matchAll(/^\| `([a-z-]+)\/` \|[^|]*\| ([^|]*) \|$/gm)].map((m) => ({ room: `host/${m[1]}`, imports: m[2]! }));
    const listed = rows.map((row) => row.room);
    const actual = [...new Set(files.filter((file) => file.startsWith('host/')).map(roomOf))].sort();
    assert.deepEqual([...listed].sort(), actual, 'the README table lists exactly the folders of host/');
    for (const [index, { room, imports }] of rows.entries()) {
      const uses = [...roomEdges.keys()].filter((edge) => edge.startsWith(`${room} -> host/`)).map((edge) => edge.split(' -> ')[1]!);
      for (const used of uses) assert.ok(listed.indexOf(used) < index, `${room} imports ${used}, listed after it`);
      if (room === 'host/wiring' || room === 'host/foundation') continue; // "everything" / "nothing of host/"
      const named = imports.split(/[,()]/).map((part) => part.trim().split(' ')[0]!).filter((name) => listed.includes(`host/${name}`));
      assert.deepEqual(uses.map((used) => used.slice('host/'.length)).sort(), [...new Set(named)].sort(), `the README row of ${room}`);
    }
  });

  it('finds a tie when one is there (the check itself)', function () {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', []],
    ]);
    assert.deepEqual(fileCycles(graph).map((c) => c.sort()), [['a.ts', 'b.ts', 'c.ts']]);
    assert.equal(roomOf('host/billing/money.ts'), 'host/billing');
    assert.equal(roomOf('host/x.ts'), 'host/(root)');
  });
});
