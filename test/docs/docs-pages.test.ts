/**
 * The repository's own docs stand alone: README.md, docs/*.md and the OpenAPI
 * document never send a reader to files they do not have (the design notes
 * the project started from), every relative link of the Markdown resolves to
 * an existing file (and heading, when it names one), and docs/http-api.md
 * keeps up with the code: it names every operation the document describes and
 * every code of the error catalog.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CATALOG } from '../../manifests/errors.js';
import { buildOpenApiDocument } from '../../host/wiring/openapi-document.js';
import { CITATION_SAMPLES, OUTSIDE_NOTES, OWN_PAGES } from './outside-notes.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PAGES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

function read(page: string): string {
  return readFileSync(join(ROOT, page), 'utf8');
}

/** Markdown links `[text](target)` outside code, with their line numbers. */
function links(markdown: string): { target: string; line: number }[] {
  const found: { target: string; line: number }[] = [];
  let fenced = false;
  markdown.split('\n').forEach((text, i) => {
    if (text.startsWith('```')) fenced = !fenced;
    if (fenced) return;
    const prose = text.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) found.push({ target: m[1]!, line: i + 1 });
  });
  return found;
}

/** GitHub's anchors of a Markdown file's headings. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = !fenced && /^#{1,6} (.+)$/.exec(line);
    if (m) out.add(m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'));
  }
  return out;
}

describe('docs pages', function () {
  it('should have the three contract pages', function () {
    for (const page of ['docs/http-api.md', 'docs/plugins.md', 'docs/product.md']) assert.ok(PAGES.includes(page), page);
  });

  it('should never cite the outside design notes, in README.md, docs/ or the OpenAPI document', function () {
    const cited: string[] = [];
    for (const page of PAGES) {
      read(page).split('\n').forEach((line, i) => {
        if (OUTSIDE_NOTES.test(line)) cited.push(`${page}:${i + 1}: ${line.trim()}`);
      });
    }
    const document = JSON.stringify(buildOpenApiDocument());
    const inDocument = document.match(new RegExp(`.{0,60}${OUTSIDE_NOTES.source}.{0,20}`, 'g')) ?? [];
    assert.deepEqual({ cited, inDocument }, { cited: [], inDocument: [] });
    // The check itself recognises what it must refuse, and lets the docs' own names through.
    for (const bad of CITATION_SAMPLES) assert.match(bad, OUTSIDE_NOTES);
    for (const good of OWN_PAGES) assert.doesNotMatch(good, OUTSIDE_NOTES);
  });

  it('should link only to files (and headings) that exist', function () {
    const broken: string[] = [];
    for (const page of PAGES) {
      for (const { target, line } of links(read(page))) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const file = path === '' ? join(ROOT, page) : join(ROOT, dirname(page), decodeURIComponent(path));
        const where = `${page}:${line} → ${target}`;
        if (!existsSync(file)) {
          broken.push(`${where}: no file ${relative(ROOT, file)}`);
          continue;
        }
        if (anchor !== undefined && file.endsWith('.md') && !anchors(readFileSync(file, 'utf8')).has(anchor)) broken.push(`${where}: no heading #${anchor}`);
      }
    }
    assert.deepEqual(broken, []);
    assert.ok(links(read('README.md')).some((l) => l.target === 'docs/http-api.md'), 'README links the HTTP contract');
  });

  it('should name every operation of the OpenAPI document in docs/http-api.md', function () {
    const page = read('docs/http-api.md');
    const paths = buildOpenApiDocument().paths as Record<string, Record<string, unknown>>;
    const missing = Object.entries(paths).flatMap(([template, item]) =>
      Object.keys(item)
        .map((method) => `${method.toUpperCase()} ${template.replace(/\{([^}]+)\}/g, ':$1')}`)
        .filter((operation) => !page.includes(`\`${operation}\``)),
    );
    assert.deepEqual(missing, []);
  });

  it('should list every code of the error catalog in docs/http-api.md', function () {
    const page = read('docs/http-api.md');
    const errors = page.slice(page.indexOf('### Errors'), page.indexOf('### Lists'));
    const missing = Object.entries(ERROR_CATALOG)
      .filter(([code, { status }]) => !new RegExp(`^\\| ${status} \\|.*\`${code}\``, 'm').test(errors))
      .map(([code]) => code);
    assert.deepEqual(missing, []);
  });
});
