// Tenants: their installs, and running one with JSON input: output, logs and
// usage of the execution (a plugin failure is still an execution: 422 with
// its code, logs and usage); a rollout's rates; shadow runs' report as a
// side-by-side diff of the outputs, and stopping them.
import { api, pluginPath, request, toError } from './api.js';
import { $, el, facts, field, json, replace, table, when } from './dom.js';
import { session } from './session.js';
import { announce, busy, empty, parseJsonField, showError } from './ui.js';

export async function showInstalls() {
  await loadInstalls();
}

async function loadInstalls() {
  const page = await api('GET', '/v1/installs?limit=200');
  const box = $('#installs-list');
  if (page.items.length === 0) {
    replace(box, empty('No plugins installed yet. Find one in the marketplace.'));
    return;
  }
  replace(
    box,
    table(
      'Your installs',
      ['Plugin', 'Version', 'Status', 'Rollout', 'Shadow', 'Installed', 'Actions'],
      await Promise.all(page.items.map(async (i) => [
        i.plugin,
        i.pendingVersion ? `${i.version} (${i.pendingVersion} waits for consent)` : i.version,
        i.status,
        await rolloutText(i),
        i.shadow ? `${i.shadow.version} on ${Math.round(i.shadow.sampleRate * 1000) / 10}%` : 'none',
        when(i.createdAt),
        el(
          'span',
          { class: 'actions' },
          session.can('plugins:execute')
            ? el('button', { type: 'button', on: { click: (e) => void busy(e.currentTarget, () => openRun(i), 'Loading the plugin failed') } }, `Run ${i.plugin}`)
            : null,
          session.can('plugins:install')
            ? el('button', { type: 'button', class: 'secondary', on: { click: (e) => void busy(e.currentTarget, () => uninstall(i), 'Uninstall failed') } }, `Uninstall ${i.plugin}`)
            : null,
          i.rollout && session.can('plugins:install')
            ? el('button', { type: 'button', on: { click: (e) => void busy(e.currentTarget, () => endRollout(i, 'promote'), 'Promote failed') } }, `Promote ${i.rollout.version}`)
            : null,
          i.rollout && session.can('plugins:install')
            ? el('button', { type: 'button', class: 'secondary', on: { click: (e) => void busy(e.currentTarget, () => endRollout(i, 'abort'), 'Abort failed') } }, 'Abort rollout')
            : null,
          i.shadow && session.can('plugins:install')
            ? el('button', { type: 'button', on: { click: (e) => void busy(e.currentTarget, () => openShadowReport(i), 'Loading the shadow report failed') } }, 'Shadow report')
            : null,
          i.shadow && session.can('plugins:install')
            ? el('button', { type: 'button', class: 'secondary', on: { click: (e) => void busy(e.currentTarget, () => stopShadow(i), 'Stopping the shadow failed') } }, 'Stop shadow')
            : null,
        ),
      ])),
    ),
  );
}

// The rollout and each version's success rate over the install's latest executions (the tenant's own view).
async function rolloutText(install) {
  if (!install.rollout) return install.lastRolloutAbort ? `none (last aborted: ${install.lastRolloutAbort.reason})` : 'none';
  // A key without plugins:execute cannot list executions: the rollout still shows, without rates.
  const page = await api('GET', `/v1/executions?install=${install.id}&limit=100`).catch(() => ({ items: [] }));
  const rate = (version) => {
    const ran = page.items.filter((x) => x.version === version);
    if (ran.length === 0) return `${version}: no executions yet`;
    return `${version}: ${Math.round((ran.filter((x) => x.status === 'succeeded').length / ran.length) * 100)}% succeeded of ${ran.length}`;
  };
  return `${install.rollout.version} on ${install.rollout.percent}% · ${rate(install.version)} · ${rate(install.rollout.version)}`;
}

async function endRollout(install, action) {
  await api('POST', `/v1/installs/${install.id}/rollout/${action}`);
  announce(action === 'promote' ? `${install.plugin} now runs ${install.rollout.version}.` : `${install.plugin} runs ${install.version} only again.`);
  await loadInstalls();
}

// The shadow runs' report: the counts, CPU and cost of both sides, the refused host calls,
// and each differing or failed run with the installed version's output beside the candidate's.
async function openShadowReport(install) {
  const panel = $('#run-panel');
  const r = await api('GET', `/v1/installs/${encodeURIComponent(install.id)}/shadow`);
  const ms = (v) => (v === null ? '–' : `${v} ms`);
  const cents = (v) => `${v} ¢`;
  const denied = r.deniedHostCalls.map((c) => (c.kind === 'kv' ? 'kv' : `network: ${c.host}`));
  replace(
    panel,
    el('h3', {}, `Shadow of ${install.plugin}: ${install.version} against ${r.version}`),
    facts([
      ['Sample rate', el('span', {}, `${Math.round(r.sampleRate * 1000) / 10}% of the executions since `, when(r.startedAt))],
      ['Compared', String(r.compared)],
      ['Identical', String(r.identical)],
      ['Different', String(r.different)],
      ['Candidate failed', String(r.candidateFailed)],
      ['CPU p50 / p95', `${install.version}: ${ms(r.cpuMs.current.p50)} / ${ms(r.cpuMs.current.p95)} · ${r.version}: ${ms(r.cpuMs.candidate.p50)} / ${ms(r.cpuMs.candidate.p95)}`],
      ['Cost per 1,000', `${install.version}: ${cents(r.costPer1000.current)} · ${r.version}: ${cents(r.costPer1000.candidate)} · difference ${cents(r.costPer1000.difference)}`],
      ['Refused host calls', denied.length === 0 ? 'none' : denied.join(', ')],
    ]),
    r.samples.length === 0
      ? empty('No differing or failed runs so far.')
      : table(
          'Differing or failed runs',
          ['Execution', `Output of ${install.version}`, `Output of ${r.version}`],
          r.samples.map((s) => [el('code', {}, s.executionId), el('pre', { class: 'shadow-output' }, json(s.output)), el('pre', { class: 'shadow-output' }, json(s.candidateOutput))]),
        ),
  );
  panel.hidden = false;
  panel.focus();
}

async function stopShadow(install) {
  await api('DELETE', `/v1/installs/${encodeURIComponent(install.id)}/shadow`);
  announce(`Stopped the shadow runs of ${install.plugin}.`);
  replace($('#run-panel'));
  $('#run-panel').hidden = true;
  await loadInstalls();
}

async function uninstall(install) {
  if (!window.confirm(`Uninstall ${install.plugin}? Its config and stored data go with it.`)) return;
  await api('DELETE', `/v1/installs/${encodeURIComponent(install.id)}`);
  announce(`Uninstalled ${install.plugin}.`);
  replace($('#run-panel'));
  $('#run-panel').hidden = true;
  await loadInstalls();
}

async function openRun(install) {
  const panel = $('#run-panel');
  const v = await api('GET', pluginPath(install.plugin, 'versions', install.version));
  const actions = Object.entries(v.manifest?.actions ?? {});
  const action = el(
    'select',
    { name: 'action' },
    actions.map(([name, a]) => el('option', { value: name, selected: name === v.manifest.defaultAction }, a.description ? `${name} — ${a.description}` : name)),
  );
  const input = el('textarea', { name: 'input', rows: 6, id: 'run-input', 'aria-describedby': 'run-input-help' }, '{}');
  const schema = el('pre', { id: 'run-input-schema' });
  const showSchema = () => replace(schema, json(v.manifest?.actions?.[action.value]?.input ?? {}));
  action.addEventListener('change', showSchema);
  showSchema();
  const result = el('div', { id: 'run-result', 'aria-live': 'polite' });
  const form = el(
    'form',
    { id: 'run-form' },
    field('Action', action),
    field('Input (JSON)', input),
    el('p', { id: 'run-input-help', class: 'help' }, 'The input must match the action’s input schema:'),
    el('details', {}, el('summary', {}, 'Input schema'), schema),
    el('button', { type: 'submit' }, 'Run'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(event.submitter, async () => {
      const body = { action: action.value, input: parseJsonField(input, 'The input') ?? null };
      replace(result, empty('Running…'));
      const res = await request('POST', `/v1/installs/${encodeURIComponent(install.id)}/executions`, body);
      // 200 and 422 are executions (with logs and usage); anything else is a refusal.
      if (res.status !== 200 && !(res.status === 422 && res.body?.executionId)) {
        replace(result);
        throw toError(res);
      }
      renderExecution(result, res.body);
      if (res.ok) announce(`Run succeeded: ${install.plugin}, execution ${res.body.executionId}.`);
      else showError(toError(res), 'The plugin failed');
    }, 'Run failed');
  });
  replace(panel, el('h3', {}, `Run ${install.plugin}@${install.version}`), actions.length === 0 ? empty('This plugin declares no actions.') : form, result);
  panel.hidden = false;
  panel.focus();
}

function renderExecution(box, ex) {
  const usage = ex.usage ?? {};
  replace(
    box,
    el('h4', {}, 'Result'),
    facts([
      ['Execution', el('code', {}, ex.executionId)],
      ['Status', ex.status ?? 'failed'],
      ex.error ? ['Error', el('span', {}, el('code', {}, ex.error.code), ` — ${ex.error.message}`)] : ['Error', undefined],
      ['CPU', `${usage.cpuMs ?? '–'} ms`],
      ['Wall time', `${usage.wallMs ?? '–'} ms`],
      ['Memory', usage.memoryBytes === undefined ? '–' : `${Math.round(usage.memoryBytes / 1024)} KiB`],
    ]),
    el('h5', {}, 'Output'),
    el('pre', { id: 'run-output', tabindex: 0 }, ex.output === undefined ? '(none)' : json(ex.output)),
    el('h5', {}, 'Logs'),
    Array.isArray(ex.logs) && ex.logs.length > 0
      ? el('ol', { id: 'run-logs' }, ex.logs.map((l) => el('li', {}, typeof l === 'string' ? l : `${l.level ?? 'log'}: ${l.message ?? json(l)}`)))
      : empty('No log lines.'),
  );
}
