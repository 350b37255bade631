// A horizontal bar chart as inline SVG (built with DOM calls: labels are text
// nodes, so a hostile plugin name stays text), with its numbers also in a
// table for screen readers and for anyone who wants exact values.
import { el, svg, table, uid } from './dom.js';

const WIDTH = 640;
const LABEL = 200;
const BAR = 22;
const GAP = 8;

/** `items`: [{label, value}]; answers a <figure> with the chart and a data table. */
export function barChart(title, items, unit, labelHeader = 'Name') {
  const max = Math.max(1, ...items.map((i) => i.value));
  const height = items.length * (BAR + GAP) + GAP;
  const titleId = uid('chart-title');
  const room = WIDTH - LABEL - 70; // room on the right for the value
  const chart = svg(
    'svg',
    { class: 'chart', viewBox: `0 0 ${WIDTH} ${height}`, width: WIDTH, height, role: 'img', 'aria-labelledby': titleId },
    svg('title', { id: titleId }, title),
    items.map((item, i) => {
      const y = GAP + i * (BAR + GAP);
      const w = Math.max(1, Math.round((item.value / max) * room));
      return svg(
        'g',
        {},
        svg('text', { x: LABEL - 8, y: y + BAR / 2 + 4, 'text-anchor': 'end' }, shorten(item.label)),
        svg('rect', { class: 'bar', x: LABEL, y, width: w, height: BAR, rx: 3 }),
        svg('text', { x: LABEL + w + 6, y: y + BAR / 2 + 4 }, String(item.value)),
      );
    }),
  );
  return el(
    'figure',
    {},
    el('figcaption', {}, title),
    chart,
    el('details', {}, el('summary', {}, `${title}: the numbers`), table(title, [labelHeader, unit], items.map((i) => [i.label, String(i.value)]), [1])),
  );
}

function shorten(label) {
  return label.length > 28 ? `${label.slice(0, 27)}…` : label;
}
