/**
 * How to recognise a citation of the design notes the project started from:
 * files a reader of this repository does not have. The names are assembled
 * from parts, so the files that hold these patterns never match them.
 * Case-sensitive, so the repository's own docs (`docs/http-api.md`) are not
 * among them.
 */

const NOTE_NAMES = ['API', 'PRODUCT', 'PLUGINS', 'EXAMPLES'];
const NOTES_FOLDER = ['shared', 'spec'].join('/');

export const OUTSIDE_NOTES = new RegExp(`${NOTES_FOLDER}|(?<![\\w-])(?:${NOTE_NAMES.join('|')})\\.md`);

/** Citations the pattern must refuse, to check the check itself. */
export const CITATION_SAMPLES = [
  ...NOTE_NAMES.map((name) => `see ${name}.md`),
  `(${NOTE_NAMES[1]}.md "Tiers")`,
  `${NOTES_FOLDER}/x`,
];

/** Names the pattern must let through: the repository's own pages. */
export const OWN_PAGES = ['docs/http-api.md', 'docs/plugins.md', 'docs/product.md', 'examples/README.md', 'README.md'];
