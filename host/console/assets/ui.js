// Announcements: results in the polite status region, errors in the alert
// region, each error with its API code (clients branch on codes, people read
// messages; the console shows both, and the request id for support).
import { el, replace } from './dom.js';

export function announce(text) {
  replace(document.getElementById('alert'));
  replace(document.getElementById('status'), text);
}

export function showError(err, context) {
  const code = err && err.code ? err.code : 'client_error';
  const message = err && err.message ? err.message : String(err);
  const parts = [context ? `${context}: ` : '', el('code', {}, code), ` — ${message}`];
  if (err && err.requestId) parts.push(el('span', { class: 'help' }, ` (request ${err.requestId})`));
  const details = err && err.details !== undefined ? el('pre', {}, JSON.stringify(err.details, null, 2)) : null;
  replace(document.getElementById('status'));
  replace(document.getElementById('alert'), el('p', {}, parts), details);
}

export function clearMessages() {
  replace(document.getElementById('status'));
  replace(document.getElementById('alert'));
}

/** Runs `work` with `button` disabled, reporting a thrown error. */
export async function busy(button, work, context) {
  if (button) button.disabled = true;
  try {
    return await work();
  } catch (err) {
    showError(err, context);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

/** "An empty state" paragraph. */
export function empty(text) {
  return el('p', { class: 'empty' }, text);
}

/** A JSON textarea's value parsed, or an error with a code like the API's. */
export function parseJsonField(textarea, what) {
  const raw = textarea.value.trim();
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch (err) {
    const e = new Error(`${what} is not valid JSON (${err.message}).`);
    e.code = 'invalid_json';
    throw e;
  }
}
