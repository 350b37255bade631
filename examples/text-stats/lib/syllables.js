// A heuristic for English: count vowel groups, then correct the commonest
// exceptions. Good enough for readability scores, which are heuristics too.
const VOWEL_GROUPS = /[aeiouy]+/g;

/** Estimated syllables of one lower-case word (at least 1). */
export function syllablesOf(word) {
  const letters = word.replace(/[^a-z]/g, '');
  if (letters.length <= 3) return 1;
  const trimmed = letters
    .replace(/(?:[^laeiouy]es|ed|[^laeiouy]e)$/, '') // silent endings: "makes", "jumped", "make"
    .replace(/^y/, ''); // a leading y is a consonant: "yes"
  return Math.max(1, (trimmed.match(VOWEL_GROUPS) ?? []).length);
}
