// Combining marks left behind by NFKD: "é" becomes "e" + U+0301, and the mark is dropped.
const COMBINING_MARKS = /[\u0300-\u036f]/g;

// Letters that NFKD does not decompose into ASCII.
const TRANSLITERATIONS = { ß: 'ss', æ: 'ae', ø: 'o', œ: 'oe', ð: 'd', þ: 'th', ł: 'l', đ: 'd' };

/**
 * Turns a title into a URL slug: "Crème Brûlée — 10 Tips!" → "creme-brulee-10-tips".
 * Config: `separator` ("-" by default) and `maxLength` (80), cut at a word boundary.
 */
export function slugify(input, ctx) {
  const { separator, maxLength } = ctx.config;
  ctx.log(`slugifying ${input.title.length} chars`);
  const words = input.title
    .normalize('NFKD')
    .replace(COMBINING_MARKS, '')
    .toLowerCase()
    .replace(/[ßæøœðþłđ]/g, (letter) => TRANSLITERATIONS[letter])
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  let slug = '';
  for (const word of words) {
    const next = slug === '' ? word : slug + separator + word;
    if (next.length > maxLength) {
      // A single word longer than the limit is cut; otherwise stop at the last whole word.
      if (slug === '') slug = word.slice(0, maxLength);
      break;
    }
    slug = next;
  }
  return { slug };
}
