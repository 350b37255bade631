/**
 * The path rules of a package entry (docs/plugins.md "The package"): the
 * same function judges tar entries on upload and files on disk when packing, so
 * `bazaar pack` refuses exactly what the host refuses.
 */

/** Longest accepted entry path, in characters (ustar + pax allow more; nothing legitimate needs it). */
export const MAX_PATH_LENGTH = 255;

/** The folder `npm pack` puts everything under; a package may use it or the archive root. */
export const PACKAGE_ROOT_FOLDER = 'package';

export type PathVerdict = { ok: true; path: string } | { ok: false; rule: string };

// C0 controls and DEL: no legitimate file name has them, and they can hide text in logs and terminals.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * Normalises a raw entry path to the POSIX relative form used as a key of
 * `PluginPackage.files`: `./a//b/` → `a/b`, Unicode NFC (so two spellings of
 * the same name count as a duplicate). Returns the rule broken otherwise.
 * An empty result (`./`) is the archive root itself.
 */
export function normaliseEntryPath(raw: string): PathVerdict {
  if (raw.includes('\\')) return { ok: false, rule: 'contains a backslash' };
  if (raw.includes('\u0000')) return { ok: false, rule: 'contains a NUL byte' };
  if (CONTROL_CHARACTERS.test(raw)) return { ok: false, rule: 'contains a control character' };
  if (raw.startsWith('/')) return { ok: false, rule: 'is an absolute path' };
  // A Windows drive letter is absolute too once extracted there.
  if (/^[A-Za-z]:/.test(raw)) return { ok: false, rule: 'starts with a drive letter' };
  if (raw.length > MAX_PATH_LENGTH) return { ok: false, rule: `is longer than ${MAX_PATH_LENGTH} characters` };
  const segments: string[] = [];
  for (const segment of raw.normalize('NFC').split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') return { ok: false, rule: 'contains a ".." segment' };
    segments.push(segment);
  }
  return { ok: true, path: segments.join('/') };
}

/** Folders that hold `path`, outermost first: `a/b/c.js` → `a`, `a/b`. */
export function parentFolders(path: string): string[] {
  const segments = path.split('/');
  return segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('/'));
}
