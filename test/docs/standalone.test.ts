/**
 * The repository stands alone: no source file (code, tests, examples, CI,
 * styles, pages) sends a reader to the design notes the project started from,
 * which the repository does not ship, and every citation of the project's own
 * docs in a comment, a docs/ page or the README followed by a quoted heading,
 * names a page that exists and a heading that page has, word for word. The
 * README and docs/ themselves are checked by docs-pages.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CITATION_SAMPLES, OUTSIDE_NOTES, OWN_PAGES } from './outside-notes.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SOURCE_FOLDERS = ['runtime', 'marketplace', 'host', 'manifests', 'test', 'examples', '.ci'];
const SOURCE_EXTENSIONS = new Set(['.ts', '.js', '.mjs', '.cjs', '.json', '.md', '.css', '.html', '.sh']);
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', '.git']);

/** Every source file under the folders above (shell scripts without an extension are known by their `#!`), relative to the root. */
function sourceFiles(): string[] {
  const found: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(join(ROOT, folder), { withFileTypes: true })) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) walk(path);
      } else if (entry.isFile() && (SOURCE_EXTENSIONS.has(extname(entry.name)) || isScript(path))) {
        found.push(path);
      }
    }
  };
  for (const folder of SOURCE_FOLDERS) if (existsSync(join(ROOT, folder))) walk(folder);
  return found;
}

function isScript(path: string): boolean {
  return extname(path) === '' && readFileSync(join(ROOT, path), 'utf8').startsWith('#!');
}

/** The headings of a Markdown page, as written (outside code fences). */
function headings(page: string): Set<string> {
  const out = new Set<string>();
  let fenced = false;
  for (const line of readFileSync(join(ROOT, page), 'utf8').split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = !fenced && /^#{1,6} (.+)$/.exec(line);
    if (m) out.add(m[1]!.trim());
  }
  return out;
}

/**
 * Citations of the own docs in a file's text: the page and the quoted headings after it
 * (`docs/http-api.md "Packages, plugins and versions", "Review"` cites two). A comment
 * may wrap a heading over two lines, so comment line breaks count as one space.
 */
function citations(text: string): { page: string; headings: string[] }[] {
  const joined = text.replace(/\n[ \t]*(?:\*(?!\/)|\/\/|#)?[ \t]*/g, ' ');
  const found: { page: string; headings: string[] }[] = [];
  for (const m of joined.matchAll(/(?<![\w/.-])(docs\/[\w.-]+\.md|README\.md)((?: "[^"]+")(?:, "[^"]+")*)?/g)) {
    found.push({ page: m[1]!, headings: [...(m[2] ?? '').matchAll(/"([^"]+)"/g)].map((h) => h[1]!) });
  }
  return found;
}

/**
 * The comments of a source file: `/* … *\/` and `// …` in code and styles, `# …` in
 * scripts; all of a Markdown, HTML or JSON file. Strings are not comments: a test's
 * sample path such as a packaged docs/ file is not a citation.
 */
function comments(file: string, text: string): string {
  const ext = extname(file);
  if (['.md', '.html', '.json'].includes(ext)) return text;
  if (ext === '.sh' || ext === '') return (text.match(/^[ \t]*#[^\n]*/gm) ?? []).join('\n');
  return (text.match(/\/\*[\s\S]*?\*\/|(?<![:'"`\w])\/\/[^\n]*/g) ?? []).join('\n');
}

/** What is wrong with the citations of `text` (as `file: page "heading"` lines). */
function brokenCitations(file: string, text: string): string[] {
  const broken: string[] = [];
  for (const { page, headings: cited } of citations(text)) {
    if (!existsSync(join(ROOT, page))) {
      broken.push(`${file}: no page ${page}`);
      continue;
    }
    const has = headings(page);
    for (const heading of cited) if (!has.has(heading)) broken.push(`${file}: ${page} has no heading "${heading}"`);
  }
  return broken;
}

describe('the repository stands alone', function () {
  const files = sourceFiles();

  it('should scan the code, tests, examples and CI scripts', function () {
    for (const expected of ['host/wiring/app.ts', 'runtime/types.ts', 'manifests/errors.ts', 'test/docs/standalone.test.ts', 'test/docs/outside-notes.ts', '.ci/run']) {
      assert.ok(files.includes(expected), `${expected} is scanned`);
    }
    assert.ok(files.some((f) => f.startsWith('examples/') && f.endsWith('.json')), 'the examples are scanned');
  });

  it('should never cite the outside design notes in any source file', function () {
    const cited: string[] = [];
    for (const file of files) {
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (OUTSIDE_NOTES.test(line)) cited.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    assert.deepEqual(cited, []);
    // The check recognises what it must refuse and lets the repository's own pages through.
    for (const bad of CITATION_SAMPLES) assert.match(bad, OUTSIDE_NOTES);
    for (const good of OWN_PAGES) assert.doesNotMatch(good, OUTSIDE_NOTES);
  });

  it('should cite only pages and headings of the docs that exist', function () {
    const commentsOf = (file: string) => comments(file, readFileSync(join(ROOT, file), 'utf8'));
    const broken = files.flatMap((file) => brokenCitations(file, commentsOf(file)));
    assert.deepEqual(broken, []);
    const cited = files.flatMap((file) => citations(commentsOf(file)));
    assert.ok(cited.filter((c) => c.headings.length > 0).length > 50, 'the code cites the docs by heading');
  });

  it('should recognise a broken citation, including one wrapped over comment lines', function () {
    const page = ['docs', 'http-api.md'].join('/');
    const sample = (heading: string) => `/**\n * Answers (${page} "${heading.replace(' ', '\n * ')}"), as documented.\n */`;
    assert.deepEqual(brokenCitations('sample.ts', sample('Tenants and API keys')), []);
    assert.deepEqual(brokenCitations('sample.ts', sample('Tenants and keys')), [`sample.ts: ${page} has no heading "Tenants and keys"`]);
    assert.deepEqual(citations(`${page} "Packages, plugins and versions", "Review"`)[0]?.headings, ['Packages, plugins and versions', 'Review']);
    const missing = ['docs', 'missing-page.md'].join('/');
    assert.deepEqual(brokenCitations('sample.ts', `// see ${missing} "Anything"`), [`sample.ts: no page ${missing}`]);
    assert.equal(comments('sample.ts', `const path = '${missing}'; // the sample\n/** ${page} */`), `// the sample\n/** ${page} */`);
  });
});
