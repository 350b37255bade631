/**
 * What makes two requests "the same" for an idempotency key: method, path and
 * the JSON body, hashed (SHA-256 hex). The body is hashed in canonical form
 * (object keys sorted), so a client that re-serialises the same object in
 * another key order is still replaying, not misusing the key.
 *
 * The walk is iterative: a 1 MiB body may nest hundreds of thousands of
 * levels deep, and a recursive walk would overflow the stack (a 500) on a
 * body that JSON.parse accepted.
 */
import { createHash, type Hash } from 'node:crypto';

type Step = { readonly token: string } | { readonly value: unknown };

/** SHA-256 hex of `METHOD path canonical-json(body)`. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([method.toUpperCase(), path]));
  hash.update('\n');
  hashCanonicalJson(hash, body);
  return hash.digest('hex');
}

function hashCanonicalJson(hash: Hash, root: unknown): void {
  const stack: Step[] = [{ value: root }];
  for (let step = stack.pop(); step !== undefined; step = stack.pop()) {
    if ('token' in step) {
      hash.update(step.token);
      continue;
    }
    const value = step.value;
    if (Array.isArray(value)) {
      // Pushed in reverse: the stack pops them in order.
      stack.push({ token: ']' });
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({ value: value[i] });
        if (i > 0) stack.push({ token: ',' });
      }
      stack.push({ token: '[' });
    } else if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      stack.push({ token: '}' });
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        stack.push({ value: record[key] });
        stack.push({ token: `${JSON.stringify(key)}:` });
        if (i > 0) stack.push({ token: ',' });
      }
      stack.push({ token: '{' });
    } else {
      // Primitives as JSON spells them; `undefined` (absent body) as null.
      hash.update(JSON.stringify(value) ?? 'null');
    }
  }
}
