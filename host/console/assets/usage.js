// Tenants: usage this month (per plugin and per day, as bar charts), the
// quota, and invoices. Usage, invoices and analytics may be missing on a host
// (other branches build them): a 404 is an "unavailable" state, not an error.
import { api, request, toError } from './api.js';
import { $, el, facts, replace, table, when } from './dom.js';
import { barChart } from './chart.js';
import { empty, showError } from './ui.js';

export async function showUsage() {
  await Promise.all([loadUsage(), loadInvoices()]);
}

async function loadUsage() {
  const [byPlugin, byDay] = await Promise.all([request('GET', '/v1/usage?groupBy=plugin'), request('GET', '/v1/usage?groupBy=day')]);
  if (byPlugin.status === 404) {
    replace($('#usage-summary'), empty('Usage reports are not available on this host yet.'));
    replace($('#usage-by-plugin'));
    replace($('#usage-by-day'));
    return;
  }
  if (!byPlugin.ok) {
    replace($('#usage-summary'), el('p', { class: 'inline-error' }, `Usage could not be loaded (${toError(byPlugin).code}).`));
    showError(toError(byPlugin), 'Usage');
    return;
  }
  const u = byPlugin.body;
  const quota = u.quota ?? {};
  replace(
    $('#usage-summary'),
    facts([
      ['Period', `${String(u.from).slice(0, 10)} to ${String(u.to).slice(0, 10)}`],
      ['Executions', String(u.executions ?? 0)],
      ['CPU time', `${u.cpuMs ?? 0} ms`],
      ['Quota this month', quota.included === null || quota.included === undefined ? `${quota.used ?? 0} used (no monthly limit)` : `${quota.used} of ${quota.included} used, ${quota.remaining} left`],
    ]),
  );
  const plugins = (u.groups ?? []).filter((g) => typeof g.plugin === 'string');
  replace(
    $('#usage-by-plugin'),
    el('h3', {}, 'Executions per plugin'),
    plugins.length === 0 ? empty('No executions in this period yet.') : barChart('Executions per plugin this month', plugins.map((g) => ({ label: g.plugin, value: g.executions })), 'Executions', 'Plugin'),
  );
  const days = byDay.ok ? (byDay.body.groups ?? []).filter((g) => typeof g.day === 'string') : [];
  replace(
    $('#usage-by-day'),
    el('h3', {}, 'Executions per day'),
    days.length === 0 ? empty('No executions in this period yet.') : barChart('Executions per day this month', days.map((g) => ({ label: g.day, value: g.executions })), 'Executions', 'Day'),
  );
}

async function loadInvoices() {
  const box = $('#invoices');
  let page;
  try {
    page = await api('GET', '/v1/invoices');
  } catch (err) {
    if (err.status === 404) replace(box, empty('Invoices are not available on this host yet.'));
    else {
      replace(box, el('p', { class: 'inline-error' }, `Invoices could not be loaded (${err.code}).`));
      showError(err, 'Invoices');
    }
    return;
  }
  const items = Array.isArray(page?.items) ? page.items : [];
  if (items.length === 0) {
    replace(box, empty('No invoices yet.'));
    return;
  }
  replace(
    box,
    table(
      'Invoices',
      ['Invoice', 'Period', 'Status', 'Total'],
      items.map((inv) => [
        String(inv.number ?? inv.id ?? ''),
        inv.periodStart ? `${String(inv.periodStart).slice(0, 10)} – ${String(inv.periodEnd ?? '').slice(0, 10)}` : when(inv.createdAt),
        String(inv.status ?? ''),
        money(inv.totalCents, inv.currency),
      ]),
      [3],
    ),
  );
}

/** Integer cents → "$12.34" (money is never a float in the API). */
export function money(cents, currency = 'USD') {
  if (!Number.isInteger(cents)) return '–';
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency: String(currency).toUpperCase() }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}
