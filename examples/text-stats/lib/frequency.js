// Words too common to say anything about a text.
const STOP_WORDS = new Set(
  'a an and are as at be but by for from has have he her his i in is it its of on or she that the their they this to was were will with you your'.split(' '),
);

/** The `limit` most frequent words that are not stop words, most frequent first, ties alphabetically. */
export function topWords(words, limit) {
  const counts = new Map();
  for (const word of words) {
    if (!STOP_WORDS.has(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return [...counts]
    .sort(([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : 1))
    .slice(0, limit)
    .map(([word, count]) => ({ word, count }));
}
