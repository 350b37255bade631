// Letters and digits of any script, with inner apostrophes and hyphens ("don't", "e-mail").
const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

/** The words of a text, lower-cased. */
export function wordsOf(text) {
  return (text.match(WORD) ?? []).map((word) => word.toLowerCase());
}

/** Sentences: runs of text ending in ., ! or ? (or the end of the text) that hold a word. */
export function sentencesOf(text) {
  return text.split(/[.!?]+(?:\s+|$)/u).filter((sentence) => /[\p{L}\p{N}]/u.test(sentence));
}

/** Paragraphs: blocks separated by blank lines. */
export function paragraphsOf(text) {
  return text.split(/\n\s*\n/u).filter((paragraph) => paragraph.trim() !== '');
}
