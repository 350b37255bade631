// Publishers: their plugins (every status, GET /v1/me/plugins), each version's
// review status and trust, yank, and analytics where the host has them.
import { api, pluginPath } from './api.js';
import { $, el, facts, field, json, replace, table, trustBadge, when } from './dom.js';
import { barChart } from './chart.js';
import { announce, busy, empty, showError } from './ui.js';

export async function showPublisher() {
  const page = await api('GET', '/v1/me/plugins');
  const box = $('#publisher-plugins');
  if (page.items.length === 0) {
    replace(box, empty('You have not published a plugin yet.'));
    return;
  }
  replace(box, page.items.map(pluginBlock));
}

function pluginBlock(p) {
  const analytics = el('div', { 'aria-live': 'polite' });
  return el(
    'article',
    { class: 'panel' },
    el('h3', {}, p.name),
    el('p', {}, p.description ?? '(no description)'),
    table(
      `Versions of ${p.name}`,
      ['Version', 'Status', 'Trust', 'Published', 'Actions'],
      p.versions.map((v) => [
        v.version,
        el('span', { class: 'status-pill' }, v.status.replace('_', ' ')),
        v.trust ? trustBadge(v.trust.score, v.trust.risk) : '',
        when(v.publishedAt),
        v.status === 'approved' ? yankButton(p.name, v.version) : '',
      ]),
    ),
    el('button', { type: 'button', class: 'secondary', on: { click: (e) => void busy(e.currentTarget, () => loadAnalytics(p.name, analytics)) } }, `Show analytics for ${p.name}`),
    analytics,
  );
}

function yankButton(name, version) {
  return el(
    'button',
    {
      type: 'button',
      class: 'danger',
      on: {
        click: (e) =>
          void busy(e.currentTarget, async () => {
            const reason = window.prompt(`Why yank ${name}@${version}? Installs on it stop executing.`);
            if (reason === null || reason.trim() === '') return;
            await api('POST', pluginPath(name, 'versions', version, 'yank'), { reason });
            announce(`Yanked ${name}@${version}.`);
            await showPublisher();
          }, 'Yank failed'),
      },
    },
    `Yank ${version}`,
  );
}

async function loadAnalytics(name, box) {
  let a;
  try {
    a = await api('GET', `/v1/analytics/plugins/${encodeURIComponent(name)}`);
  } catch (err) {
    if (err.status === 404) replace(box, empty('Analytics are not available for this plugin on this host yet.'));
    else {
      replace(box, el('p', { class: 'inline-error' }, `Analytics could not be loaded (${err.code}).`));
      showError(err, 'Analytics');
    }
    return;
  }
  // The analytics shape is another branch's; show the numbers it has, and a chart of any hourly series.
  const numbers = Object.entries(a ?? {}).filter(([, v]) => typeof v === 'number' || typeof v === 'string');
  const series = Array.isArray(a?.hourly) ? a.hourly : Array.isArray(a?.items) ? a.items : [];
  const points = series
    .filter((h) => h && typeof h.executions === 'number')
    .map((h) => ({ label: String(h.hour ?? h.bucket ?? h.at ?? ''), value: h.executions }));
  replace(
    box,
    numbers.length > 0 ? facts(numbers.map(([k, v]) => [k, String(v)])) : null,
    points.length > 0 ? barChart(`Executions per hour of ${name}`, points, 'Executions', 'Hour') : empty('No executions recorded yet.'),
    el('details', {}, el('summary', {}, 'Raw analytics'), el('pre', {}, json(a))),
  );
}
