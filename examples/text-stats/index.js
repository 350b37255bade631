import { paragraphsOf, sentencesOf, wordsOf } from './lib/tokenize.js';
import { fleschReadingEase } from './lib/readability.js';
import { topWords } from './lib/frequency.js';

/** Counts, reading time at the configured speed, readability and the most frequent words. */
export function analyze(input, ctx) {
  const { text } = input;
  const words = wordsOf(text);
  const sentences = sentencesOf(text);
  ctx.log(`analyzed ${words.length} words in ${sentences.length} sentences`);
  return {
    characters: [...text].length,
    words: words.length,
    sentences: sentences.length,
    paragraphs: paragraphsOf(text).length,
    readingTimeSeconds: Math.round((words.length / ctx.config.wordsPerMinute) * 60),
    fleschReadingEase: fleschReadingEase(words, sentences.length),
    topWords: topWords(words, input.topWords ?? 5),
  };
}
