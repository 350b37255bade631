// Publishers: their plugins (every status, GET /v1/me/plugins), each version's
// review status and trust, deprecation notices and dist-tags, yank, and each
// plugin's hourly analytics.
import { api, pluginPath } from './api.js';
import { $, el, replace, table, trustBadge, when } from './dom.js';
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
    el('p', { class: 'help' }, `Dist-tags: ${Object.entries(p.distTags ?? {}).map(([tag, version]) => `${tag} → ${version}`).join(', ') || 'none'}`),
    table(
      `Versions of ${p.name}`,
      ['Version', 'Status', 'Trust', 'Published', 'Actions'],
      p.versions.map((v) => [
        v.version,
        el('span', {}, el('span', { class: 'status-pill' }, v.status.replace('_', ' ')), v.deprecated ? el('span', { class: 'deprecated' }, ` deprecated: ${v.deprecated.message}`) : null),
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

/**
 * GET /v1/analytics/plugins/:name (host/analytics/plugin-analytics.ts): the
 * last 7 days, hourly, per version, from the rolled-up aggregates. Shown as
 * totals per version, a chart of executions per hour (all versions), and the
 * hours with their success rate and p50/p95 times.
 */
async function loadAnalytics(name, box) {
  let a;
  try {
    a = await api('GET', `/v1/analytics/plugins/${encodeURIComponent(name)}`);
  } catch (err) {
    replace(box, el('p', { class: 'inline-error' }, `Analytics could not be loaded (${err.code}).`));
    showError(err, 'Analytics');
    return;
  }
  const hours = a.versions.flatMap((v) => v.series.map((h) => ({ version: v.version, ...h })));
  if (hours.length === 0) {
    replace(box, empty(`No executions of ${name} from ${a.from.slice(0, 10)} to ${a.to.slice(0, 10)} (figures are rolled up hourly).`));
    return;
  }
  const perHour = new Map();
  for (const h of hours) perHour.set(h.hour, (perHour.get(h.hour) ?? 0) + h.executions);
  const points = [...perHour].sort(([x], [y]) => (x < y ? -1 : 1)).map(([hour, executions]) => ({ label: hourLabel(hour), value: executions }));
  const totals = a.versions.map((v) => {
    const executions = v.series.reduce((n, h) => n + h.executions, 0);
    const succeeded = v.series.reduce((n, h) => n + h.succeeded, 0);
    return [v.version, String(executions), String(executions - succeeded), percent(executions === 0 ? null : succeeded / executions)];
  });
  replace(
    box,
    el('h4', {}, `Analytics of ${name}`),
    el('p', { class: 'help' }, `${a.from.slice(0, 16).replace('T', ' ')} to ${a.to.slice(0, 16).replace('T', ' ')} UTC, per hour.`),
    table(`Executions of ${name} per version`, ['Version', 'Executions', 'Failed', 'Success rate'], totals, [1, 2, 3]),
    barChart(`Executions per hour of ${name}`, points, 'Executions', 'Hour (UTC)'),
    table(
      `Hours of ${name}`,
      ['Hour (UTC)', 'Version', 'Executions', 'Success rate', 'Wall p50 ms', 'Wall p95 ms', 'CPU p50 ms', 'CPU p95 ms'],
      hours.map((h) => [hourLabel(h.hour), h.version, String(h.executions), percent(h.successRate), String(h.wallMs.p50), String(h.wallMs.p95), String(h.cpuMs.p50), String(h.cpuMs.p95)]),
      [2, 3, 4, 5, 6, 7],
    ),
  );
}

/** `2024-05-01T10:00:00.000Z` → `2024-05-01 10:00`. */
function hourLabel(iso) {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

function percent(rate) {
  return rate === null || rate === undefined ? '–' : `${(rate * 100).toFixed(1)}%`;
}
