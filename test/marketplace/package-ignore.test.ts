import assert from 'node:assert/strict';
import { IgnoreRules } from '../../marketplace/package-ignore.js';

/** The paths of `candidates` the rules leave out (a trailing `/` marks a folder). */
function leftOut(rules: IgnoreRules, candidates: readonly string[]): string[] {
  return candidates.filter((c) => rules.ignores(c.replace(/\/$/, ''), c.endsWith('/')));
}

describe('package ignore rules', () => {
  it('should leave out the defaults: .git, node_modules, .DS_Store anywhere, *.tgz and .bazaarignore at the top', () => {
    const rules = new IgnoreRules();
    assert.deepEqual(
      leftOut(rules, ['.git/', 'lib/.git/', 'node_modules/', 'lib/node_modules/', '.DS_Store', 'lib/.DS_Store', 'old.tgz', 'lib/data.tgz', '.bazaarignore', 'lib/.bazaarignore', 'index.js', '.gitignore']),
      ['.git/', 'lib/.git/', 'node_modules/', 'lib/node_modules/', '.DS_Store', 'lib/.DS_Store', 'old.tgz', '.bazaarignore'],
    );
  });

  it('should read gitignore syntax: comments, anchors, folder-only patterns, globs, classes and negation (last match wins)', () => {
    const rules = new IgnoreRules(
      ['# build output', '', '/build', 'tmp/', '*.log', '!keep.log', 'docs/**/*.md', 'data?.json', 'secret[0-9].js', '\\#notes', 'lib/*.test.js   '].join('\n'),
    );
    const candidates = [
      'build/', 'lib/build/', 'tmp/', 'tmp', 'lib/tmp/', 'a.log', 'lib/b.log', 'keep.log', 'lib/keep.log',
      'docs/a.md', 'docs/x/y/b.md', 'docs/a.txt', 'data1.json', 'data12.json', 'secret7.js', 'secretX.js',
      '#notes', 'lib/util.test.js', 'lib/deep/util.test.js', 'index.js', '# build output',
    ];
    assert.deepEqual(leftOut(rules, candidates), [
      'build/', 'tmp/', 'lib/tmp/', 'a.log', 'lib/b.log', 'docs/a.md', 'docs/x/y/b.md', 'data1.json', 'secret7.js', '#notes', 'lib/util.test.js',
    ]);
  });

  it('should let the file re-include a default, and ignore lines that are only a negation or a slash', () => {
    const rules = new IgnoreRules('!/vendor.tgz\n!\n/\n');
    assert.deepEqual(leftOut(rules, ['vendor.tgz', 'other.tgz', 'index.js']), ['other.tgz']);
  });
});
