// Tenants: the subscription, usage of the current range (per plugin and per
// day, as bar charts) with the quota of the billing period (used against
// included, as a chart too), and invoices with
// their lines. Shapes: GET /v1/subscription (host/billing/subscription.ts),
// GET /v1/usage (host/metering/usage-report.ts), GET /v1/invoices(/:id)
// (host/billing/invoice.ts). A 404 from a billing route is a state (the
// operator has no subscription), not an error.
import { api, request, toError } from './api.js';
import { $, el, facts, replace, table, when } from './dom.js';
import { barChart, meterChart } from './chart.js';
import { empty, showError } from './ui.js';

export async function showUsage() {
  replace($('#invoice-detail'));
  $('#invoice-detail').hidden = true;
  await Promise.all([loadSubscription(), loadUsage(), loadInvoices()]);
}

async function loadSubscription() {
  const box = $('#subscription');
  const res = await request('GET', '/v1/subscription');
  if (res.status === 404) {
    replace(box, empty('This tenant has no subscription (the operator is not billed).'));
    return;
  }
  if (!res.ok) {
    replace(box, el('p', { class: 'inline-error' }, `The subscription could not be loaded (${toError(res).code}).`));
    showError(toError(res), 'Subscription');
    return;
  }
  const s = res.body;
  const next =
    s.status === 'canceled'
      ? undefined
      : s.cancelAtPeriodEnd
        ? ['Cancels at', when(s.currentPeriodEnd)]
        : s.pendingTier
          ? [`Downgrades to ${s.pendingTier} at`, when(s.currentPeriodEnd)]
          : ['Renews at', when(s.currentPeriodEnd)];
  replace(
    box,
    facts([
      ['Tier', s.tier],
      ['Status', s.status.replace('_', ' ')],
      ['Current period', el('span', {}, when(s.currentPeriodStart), ' to ', when(s.currentPeriodEnd))],
      ...(next ? [next] : []),
      ['Trial ends', s.trialEndsAt ? when(s.trialEndsAt) : undefined],
      ['Canceled', s.canceledAt ? when(s.canceledAt) : undefined],
    ]),
  );
}

async function loadUsage() {
  const [byPlugin, byDay] = await Promise.all([request('GET', '/v1/usage?groupBy=plugin'), request('GET', '/v1/usage?groupBy=day')]);
  if (!byPlugin.ok) {
    replace($('#usage-summary'), el('p', { class: 'inline-error' }, `Usage could not be loaded (${toError(byPlugin).code}).`));
    replace($('#usage-by-plugin'));
    replace($('#usage-by-day'));
    showError(toError(byPlugin), 'Usage');
    return;
  }
  const u = byPlugin.body;
  const q = u.quota;
  const failures = Object.entries(u.byErrorCode).map(([code, n]) => `${code} ${n}`).join(', ');
  replace(
    $('#usage-summary'),
    facts([
      ['Range', `${u.from.slice(0, 10)} to ${u.to.slice(0, 10)}`],
      ['Executions', `${u.executions} (${u.byStatus.succeeded} succeeded, ${u.byStatus.failed} failed)`],
      ['Failures by code', failures === '' ? undefined : failures],
      ['CPU time', `${u.cpuMs} ms`],
      ['Wall time', `${u.wallMs} ms`],
      ['Quota this billing period', q.included === null ? `${q.used} used (no limit)` : `${q.used} of ${q.included} used, ${q.remaining} left`],
      ['Quota period', el('span', {}, when(q.periodStart), ' to ', when(q.periodEnd))],
    ]),
    // A quota without a limit has nothing to draw a bar against.
    q.included === null ? null : meterChart('Quota this billing period', 'Executions used', q.used, q.included),
  );
  const plugins = u.groups.filter((g) => typeof g.plugin === 'string');
  replace(
    $('#usage-by-plugin'),
    el('h3', {}, 'Executions per plugin'),
    plugins.length === 0 ? empty('No executions in this range yet.') : barChart('Executions per plugin', plugins.map((g) => ({ label: g.plugin, value: g.executions })), 'Executions', 'Plugin'),
  );
  const days = byDay.ok ? byDay.body.groups.filter((g) => typeof g.day === 'string') : [];
  replace(
    $('#usage-by-day'),
    el('h3', {}, 'Executions per day'),
    days.length === 0 ? empty('No executions in this range yet.') : barChart('Executions per day', days.map((g) => ({ label: g.day, value: g.executions })), 'Executions', 'Day'),
  );
}

const period = (inv) => `${inv.periodStart.slice(0, 10)} – ${inv.periodEnd.slice(0, 10)}`;

async function loadInvoices() {
  const box = $('#invoices');
  const res = await request('GET', '/v1/invoices');
  if (!res.ok) {
    replace(box, el('p', { class: 'inline-error' }, `Invoices could not be loaded (${toError(res).code}).`));
    showError(toError(res), 'Invoices');
    return;
  }
  const items = res.body.items;
  if (items.length === 0) {
    replace(box, empty('No invoices yet.'));
    return;
  }
  replace(
    box,
    table(
      'Invoices, newest period first',
      ['Period', 'Status', 'Lines', 'Subtotal', 'Total', 'Due', 'Details'],
      items.map((inv) => [
        period(inv),
        el('span', { class: 'status-pill' }, inv.status),
        String(inv.lines.length),
        money(inv.subtotalCents, inv.currency),
        inv.totalCents === null ? 'at period end' : money(inv.totalCents, inv.currency),
        inv.dueAt ? when(inv.dueAt) : '',
        el('button', { type: 'button', class: 'secondary', on: { click: () => void showInvoice(inv.id) } }, `Show invoice ${period(inv)}`),
      ]),
      [2, 3, 4],
    ),
  );
}

async function showInvoice(id) {
  const panel = $('#invoice-detail');
  let inv;
  try {
    inv = await api('GET', `/v1/invoices/${encodeURIComponent(id)}`);
  } catch (err) {
    showError(err, 'Invoice');
    return;
  }
  const draft = inv.status === 'draft';
  replace(
    panel,
    el('h3', {}, `Invoice ${period(inv)}`),
    facts([
      ['Status', inv.status],
      ['Invoice id', inv.id],
      ['Finalized', inv.finalizedAt ? when(inv.finalizedAt) : undefined],
      ['Due', inv.dueAt ? when(inv.dueAt) : undefined],
      ['Paid', inv.paidAt ? when(inv.paidAt) : undefined],
    ]),
    table(
      'Invoice lines',
      ['Kind', 'Plugin', 'Quantity', 'Amount', 'Description'],
      inv.lines.map((l) => [l.kind.replace('_', ' '), l.plugin ?? '', String(l.quantity), money(l.amountCents, inv.currency), l.description]),
      [2, 3],
    ),
    facts([
      ['Subtotal', money(inv.subtotalCents, inv.currency)],
      [inv.taxRateBps === null ? 'Tax' : `Tax (${inv.taxRateBps / 100}%)`, draft ? 'when the period closes' : money(inv.taxCents, inv.currency)],
      ['Total', draft ? 'when the period closes' : money(inv.totalCents, inv.currency)],
    ]),
  );
  panel.hidden = false;
  panel.focus();
}

/** Integer cents → "$12.34" (money is never a float in the API). */
export function money(cents, currency = 'USD') {
  if (!Number.isInteger(cents)) return '–';
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: String(currency).toUpperCase() }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}
