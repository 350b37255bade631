/**
 * The nesting bound on JSON that crosses the host: request bodies and plugin
 * output. Shared by host/ (bodies) and runtime/ (output).
 */

/**
 * Arrays and objects nested deeper than this are refused before parsing: deep
 * values overflow the stack of the recursive code that handles them later
 * (serialisation, schema validation, the sandbox's copy).
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether the JSON text opens more than `max` arrays/objects inside each
 * other: one pass over the characters, skipping strings, with a counter and
 * no recursion (so no input can overflow it). Malformed text may be counted
 * wrong; JSON.parse refuses it next anyway.
 */
export function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}
