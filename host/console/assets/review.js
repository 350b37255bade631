// Reviewers: the queue ordered by trust score, one version's six-factor
// breakdown with its evidence and findings, its code (as text), and the
// decision (approve / reject with notes), plus yank.
import { api, pluginPath, query } from './api.js';
import { $, el, facts, field, json, replace, table, trustBadge, when } from './dom.js';
import { FACTORS, FACTOR_NAMES, trustFactorsChart } from './trust.js';
import { announce, busy, empty, showError } from './ui.js';

let wired = false;

export async function showReview() {
  if (!wired) {
    wired = true;
    $('#review-order-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void busy(event.submitter, loadQueue);
    });
    $('#yank-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const form = event.currentTarget;
      void busy(event.submitter, async () => {
        const plugin = form.elements.plugin.value.trim();
        const version = form.elements.version.value.trim();
        const answer = await api('POST', pluginPath(plugin, 'versions', version, 'yank'), { reason: form.elements.reason.value });
        form.reset();
        announce(`Yanked ${answer.name}@${answer.version}: its status is now ${answer.status}.`);
      }, 'Yank failed');
    });
  }
  await loadQueue();
}

async function loadQueue() {
  const order = $('#review-order').value;
  const page = await api('GET', `/v1/reviews${query({ order, limit: 100 })}`);
  const list = $('#review-queue');
  if (page.items.length === 0) {
    replace(list, el('li', { class: 'empty' }, 'No versions are waiting for review.'));
    return;
  }
  replace(
    list,
    page.items.map((item) =>
      el(
        'li',
        {},
        el('h3', {}, `${item.name}@${item.version}`),
        trustBadge(item.trust.score, item.trust.risk),
        el('p', {}, item.description ?? '(no description)'),
        el('p', { class: 'help' }, 'Published ', when(item.publishedAt)),
        el('button', { type: 'button', on: { click: (e) => void busy(e.currentTarget, () => openVersion(item.name, item.version)) } }, `Review ${item.name}@${item.version}`),
      ),
    ),
  );
  announce(`${page.items.length} version${page.items.length === 1 ? '' : 's'} waiting for review.`);
}

async function openVersion(name, version) {
  const panel = $('#review-detail');
  const v = await api('GET', pluginPath(name, 'versions', version));
  const trust = v.trust;
  const evidenceRows = (trust.evidence ?? []).map((e) => [FACTOR_NAMES[e.factor] ?? e.factor, e.signal, e.detail, String(e.impact), e.severity ?? '']);
  const findingRows = (trust.findings ?? []).map((f) => [f.severity, f.rule, f.line === null ? f.file : `${f.file}:${f.line}`, f.message]);
  const notes = el('textarea', { name: 'notes', rows: 3, 'aria-describedby': 'review-notes-help' });
  const form = el(
    'form',
    { id: 'review-form', 'aria-labelledby': 'review-decision-heading' },
    el('h4', { id: 'review-decision-heading' }, 'Decision'),
    field('Notes (kept in the audit log)', notes),
    el('p', { id: 'review-notes-help', class: 'help' }, 'Say what you checked and why you decided.'),
    el(
      'div',
      { class: 'actions' },
      el('button', { type: 'submit', name: 'decision', value: 'approve' }, 'Approve'),
      el('button', { type: 'submit', name: 'decision', value: 'reject', class: 'danger' }, 'Reject'),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const decision = event.submitter?.value === 'reject' ? 'reject' : 'approve';
    void busy(event.submitter, async () => {
      const answer = await api('POST', pluginPath(name, 'versions', version, 'review'), { decision, notes: notes.value });
      replace(panel);
      panel.hidden = true;
      await loadQueue();
      announce(`${decision === 'approve' ? 'Approved' : 'Rejected'} ${answer.name}@${answer.version}: status ${answer.status}.`);
    }, 'Decision failed');
  });

  replace(
    panel,
    el('h3', {}, `${v.name}@${v.version}`),
    trustBadge(trust.score, trust.risk),
    facts([
      ['Status', v.status],
      ['Description', v.manifest?.description ?? '(none)'],
      ['License', v.manifest?.license ?? ''],
      ['Published', when(v.publishedAt)],
      ['Size', `${v.compressedBytes} bytes compressed, ${v.unpackedBytes} unpacked`],
      ['SHA-256', el('code', {}, v.sha256)],
      ['Permissions', json(v.manifest?.permissions ?? {})],
    ]),
    trustFactorsChart(`Trust factors of ${v.name}@${v.version}`, trust),
    table(
      'Trust factors (0–100 each)',
      ['Factor', 'Score', 'Weight'],
      FACTORS.map(([key, label]) => [label, String(trust.factors?.[key] ?? '–'), trust.weights?.[key] === undefined ? '' : String(Math.round(trust.weights[key] * 100) / 100)]),
      [1, 2],
    ),
    evidenceRows.length === 0 ? empty('No evidence recorded.') : table('Evidence', ['Factor', 'Signal', 'Detail', 'Impact', 'Severity'], evidenceRows, [3]),
    findingRows.length === 0 ? empty('No code findings.') : table('Code findings', ['Severity', 'Rule', 'Where', 'Message'], findingRows),
    el('h4', {}, 'Code'),
    el('div', { id: 'review-code' }, empty('Loading the code…')),
    v.status === 'pending_review' ? form : el('p', {}, `This version is ${v.status}; no decision is pending.`),
  );
  panel.hidden = false;
  panel.focus();
  await loadCode(name, version);
}

async function loadCode(name, version) {
  const box = $('#review-code');
  try {
    const answer = await api('GET', pluginPath(name, 'versions', version, 'files'));
    replace(
      box,
      answer.truncated ? el('p', { class: 'help' }, 'Some files are cut short here; download the tarball to read everything.') : null,
      answer.files.map((f, i) =>
        el(
          'details',
          { class: 'file', open: i < 3 ? true : undefined },
          el('summary', {}, `${f.path} (${f.bytes} bytes${f.truncated ? ', truncated' : ''})`),
          // textContent only: code is text, never markup.
          el('pre', { tabindex: 0, 'aria-label': `Contents of ${f.path}` }, el('code', {}, f.content)),
        ),
      ),
    );
  } catch (err) {
    replace(box, el('p', { class: 'inline-error' }, `The code could not be loaded (${err.code}).`));
    showError(err, 'Loading the code failed');
  }
}
