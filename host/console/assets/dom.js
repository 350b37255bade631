// DOM helpers. Every piece of text goes in as a text node (textContent): plugin
// names, descriptions, evidence and code come from publishers and may be hostile.
// Nothing here ever assigns innerHTML/outerHTML or calls insertAdjacentHTML.

/**
 * el('p', {class: 'x'}, 'text', child) — attributes are set with setAttribute
 * (values are strings, never parsed as markup); `on` maps events to handlers;
 * `hidden`, `disabled`, `checked`, `value` are set as properties.
 */
export function el(tag, attrs = {}, ...children) {
  return build(document.createElement(tag), attrs, children);
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The same for SVG elements (charts). */
export function svg(tag, attrs = {}, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

const PROPS = new Set(['hidden', 'disabled', 'checked', 'value', 'selected']);

function build(node, attrs, children) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'on') {
      for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    } else if (PROPS.has(name)) {
      node[name] = value;
    } else if (/^on/i.test(name) || name === 'style' || name === 'srcdoc') {
      throw new Error(`el(): refusing attribute ${name}`);
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(node, children);
  return node;
}

/** Appends children: nodes as they are, anything else as text. */
export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replaces a node's children. */
export function replace(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

export const $ = (selector, root = document) => root.querySelector(selector);

let ids = 0;
/** A unique id for label/aria wiring of generated controls. */
export function uid(prefix) {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** A labelled control: returns [label, control]. */
export function field(labelText, control) {
  if (!control.id) control.id = uid('f');
  return [el('label', { for: control.id }, labelText), control];
}

/** A risk badge: the colour helps, the text says it (never colour alone). */
export function trustBadge(score, risk) {
  if (score === null || score === undefined) return el('span', { class: 'badge' }, 'Trust: not scored');
  const level = ['minimal', 'low', 'medium', 'high', 'critical'].includes(risk) ? risk : 'unknown';
  return el('span', { class: `badge risk-${level}` }, `Trust ${score} · ${level} risk`);
}

/** A definition list of [term, value] pairs. */
export function facts(pairs) {
  return el('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== undefined).flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

/**
 * A table with a caption, header cells and rows of cells (strings or nodes),
 * in a box that scrolls sideways on its own when the table is wider than the
 * screen (the page never does); the box is focusable so a keyboard scrolls it too.
 */
export function table(caption, headers, rows, numeric = []) {
  return el(
    'div',
    { class: 'table-scroll', role: 'region', tabindex: 0, 'aria-label': caption },
    el(
      'table',
      {},
      el('caption', {}, caption),
      el('thead', {}, el('tr', {}, headers.map((h, i) => el('th', { scope: 'col', class: numeric.includes(i) ? 'num' : undefined }, h)))),
      el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c, i) => el('td', { class: numeric.includes(i) ? 'num' : undefined }, c))))),
    ),
  );
}

/** `2024-05-01T10:00:00.000Z` → a readable local date-time (the ISO string in a title). */
export function when(iso) {
  if (typeof iso !== 'string') return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : el('time', { datetime: iso }, d.toLocaleString());
}

/** Pretty JSON for <pre>. */
export function json(value) {
  return JSON.stringify(value, null, 2) ?? 'undefined';
}
