/**
 * What packing a folder leaves out: a few defaults, then the folder's own
 * `.bazaarignore` in gitignore syntax:
 *
 * - blank lines and `#` comments are skipped; `\#` and `\!` escape them;
 * - `!pattern` re-includes what an earlier pattern left out (the last match
 *   wins; as in git, nothing inside a left-out folder can come back);
 * - `pattern/` matches folders only;
 * - a pattern with a `/` before its end is relative to the plugin folder,
 *   one without matches a name at any depth;
 * - `*` and `?` stay within one path segment, `**` spans segments, `[abc]` is a class.
 */

/** The ignore file, read from the top of the plugin folder (and never packed itself). */
export const IGNORE_FILE = '.bazaarignore';

/**
 * Never packed unless the ignore file re-includes them: version control,
 * installed dependencies (plugins cannot import them), Finder litter, packed
 * tarballs at the top (build output) and the ignore file.
 */
export const DEFAULT_IGNORES: readonly string[] = ['.git', 'node_modules', '.DS_Store', '/*.tgz', `/${IGNORE_FILE}`];

interface Rule {
  readonly pattern: RegExp;
  readonly negated: boolean;
  readonly foldersOnly: boolean;
}

const escapeChar = (c: string): string => (/[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c);

/** The body of a regular expression for one glob (no anchors). */
function globToRegExp(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` is zero or more folders; `**` elsewhere is anything.
      if (glob[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[' && glob.indexOf(']', i + 2) !== -1) {
      const end = glob.indexOf(']', i + 2);
      const body = glob.slice(i + 1, end);
      const negatedClass = body.startsWith('!') || body.startsWith('^');
      out += `[${negatedClass ? '^' : ''}${(negatedClass ? body.slice(1) : body).replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else if (c === '\\' && i + 1 < glob.length) out += escapeChar(glob[++i]!);
    else out += escapeChar(c);
  }
  return out;
}

function parseRule(line: string): Rule | null {
  let text = line.replace(/(?<!\\)\s+$/, '');
  if (text === '' || text.startsWith('#')) return null;
  const negated = text.startsWith('!');
  if (negated) text = text.slice(1);
  const foldersOnly = text.endsWith('/');
  if (foldersOnly) text = text.replace(/\/+$/, '');
  if (text === '') return null;
  const anchored = text.includes('/');
  const glob = text.replace(/^\//, '');
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^${anchored ? '' : '(?:.*/)?'}${globToRegExp(glob)}$`);
  } catch {
    return null; // a line no glob reading makes sense of matches nothing, as in git
  }
  return { pattern, negated, foldersOnly };
}

/** Decides, path by path (relative, `/`-separated), what packing leaves out. */
export class IgnoreRules {
  readonly #rules: readonly Rule[];

  /** `fileText`: the contents of the folder's `.bazaarignore`, if it has one. */
  constructor(fileText = '') {
    const lines = [...DEFAULT_IGNORES, ...fileText.split(/\r?\n/)];
    this.#rules = lines.map(parseRule).filter((r): r is Rule => r !== null);
  }

  ignores(relativePath: string, isFolder: boolean): boolean {
    let ignored = false;
    for (const rule of this.#rules) {
      if (rule.foldersOnly && !isFolder) continue;
      if (rule.pattern.test(relativePath)) ignored = !rule.negated;
    }
    return ignored;
  }
}
