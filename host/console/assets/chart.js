// Small horizontal bar charts as inline SVG, built with DOM calls (labels are
// text nodes, so a hostile plugin name stays text). Each row is its label and
// value on one line with the bar under them, so a chart stays readable at a
// phone's width. Accessible: role="img" with an aria-label that says every
// number, and the numbers are drawn as text too.
import { el, svg, table } from './dom.js';

const WIDTH = 320; // drawn 1:1 inside a panel at a 390 px phone width
const LABEL_ROW = 16;
const BAR = 12;
const GAP = 10;
const ROW = LABEL_ROW + BAR + GAP;

/**
 * The SVG of `rows` ([{label, value, text, over?}]) against `max`: each bar
 * is `value / max` of the width (capped), `text` is the number shown.
 */
export function bars(title, rows, max) {
  const height = Math.max(1, rows.length * ROW - GAP);
  const scale = Math.max(1, max);
  return svg(
    'svg',
    {
      class: 'chart',
      viewBox: `0 0 ${WIDTH} ${height}`,
      width: WIDTH,
      height,
      role: 'img',
      'aria-label': `${title}: ${rows.map((r) => `${r.label} ${r.text}`).join(', ')}`,
    },
    rows.map((r, i) => {
      const y = i * ROW;
      const w = Math.round(Math.min(1, Math.max(0, r.value) / scale) * WIDTH);
      return svg(
        'g',
        {},
        svg('text', { x: 0, y: y + 12 }, shorten(r.label)),
        svg('text', { x: WIDTH, y: y + 12, 'text-anchor': 'end', class: 'value' }, r.text),
        svg('rect', { class: 'track', x: 0, y: y + LABEL_ROW, width: WIDTH, height: BAR, rx: 3 }),
        w > 0 ? svg('rect', { class: r.over ? 'bar over' : 'bar', x: 0, y: y + LABEL_ROW, width: w, height: BAR, rx: 3 }) : null,
      );
    }),
  );
}

/**
 * Counts (`items`: [{label, value}]) against the largest: a <figure> with the
 * chart and, folded, the same numbers as a table.
 */
export function barChart(title, items, unit, labelHeader = 'Name') {
  const max = Math.max(1, ...items.map((i) => i.value));
  return el(
    'figure',
    {},
    el('figcaption', {}, title),
    bars(title, items.map((i) => ({ label: i.label, value: i.value, text: String(i.value) })), max),
    el('details', {}, el('summary', {}, `${title}: the numbers`), table(title, [labelHeader, unit], items.map((i) => [i.label, String(i.value)]), [1])),
  );
}

/** One quantity against its limit (`used` of `limit`), e.g. a quota: a <figure> whose bar turns to the danger colour past the limit. */
export function meterChart(title, label, used, limit) {
  const percent = limit > 0 ? Math.round((used / limit) * 100) : used > 0 ? 100 : 0;
  const text = `${used} of ${limit} (${percent}%)`;
  return el('figure', {}, el('figcaption', {}, title), bars(title, [{ label, value: used, text, over: used > limit }], limit));
}

function shorten(label) {
  return label.length > 36 ? `${label.slice(0, 35)}…` : label;
}
