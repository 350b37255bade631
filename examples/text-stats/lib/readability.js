import { syllablesOf } from './syllables.js';

/**
 * Flesch reading ease: 206.835 − 1.015 × words/sentence − 84.6 × syllables/word.
 * Higher is easier (60–70 is plain English). Null for a text without words.
 */
export function fleschReadingEase(words, sentenceCount) {
  if (words.length === 0) return null;
  const syllables = words.reduce((sum, word) => sum + syllablesOf(word), 0);
  const score = 206.835 - 1.015 * (words.length / Math.max(1, sentenceCount)) - 84.6 * (syllables / words.length);
  return Math.round(score * 10) / 10;
}
