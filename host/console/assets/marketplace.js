// Tenants: the marketplace (search, trust badges) and installing a plugin with
// its permission grant and config.
import { api, pluginPath, query } from './api.js';
import { $, el, field, json, replace, trustBadge, uid } from './dom.js';
import { session } from './session.js';
import { announce, busy, empty, parseJsonField } from './ui.js';

let wired = false;

export async function showMarketplace() {
  if (!wired) {
    wired = true;
    $('#search-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void busy(event.submitter, search, 'Search failed');
    });
  }
  await search();
}

async function search() {
  const q = $('#search-q').value.trim();
  const sort = $('#search-sort').value;
  const page = await api('GET', `/v1/plugins${query({ q, sort, limit: 50 })}`);
  const list = $('#plugin-results');
  const summary = `${page.items.length} plugin${page.items.length === 1 ? '' : 's'}${q ? ` matching “${q}”` : ''}.`;
  replace($('#search-summary'), summary);
  if (page.items.length === 0) {
    replace(list, el('li', { class: 'empty' }, q ? 'No approved plugin matches this search.' : 'No plugins are approved yet.'));
  } else {
    replace(list, page.items.map(card));
  }
  announce(summary);
}

function card(p) {
  return el(
    'li',
    {},
    el('h3', {}, p.name),
    trustBadge(p.trustScore, p.risk),
    el('p', {}, p.description ?? '(no description)'),
    el('p', { class: 'help' }, `Latest ${p.latestVersion} · ${p.installCount} install${p.installCount === 1 ? '' : 's'}`),
    session.can('plugins:install')
      ? el('button', { type: 'button', on: { click: (e) => void busy(e.currentTarget, () => openInstall(p.name, p.latestVersion), 'Loading the plugin failed') } }, `Install ${p.name}`)
      : el('p', { class: 'help' }, 'Installing needs the plugins:install scope.'),
  );
}

/** What the manifest asks for, as checkboxes the tenant must tick to grant. */
function permissionControls(permissions) {
  const controls = [];
  if (permissions?.kv === true) {
    controls.push({ grant: (g) => (g.kv = true), box: el('input', { type: 'checkbox', name: 'grant-kv', id: uid('grant') }), label: 'Allow key-value storage (kv) for this install' });
  }
  const hosts = permissions?.network?.hosts ?? [];
  if (hosts.length > 0) {
    controls.push({
      grant: (g) => (g.network = { hosts: [...hosts] }),
      box: el('input', { type: 'checkbox', name: 'grant-network', id: uid('grant') }),
      label: `Allow network requests to: ${hosts.join(', ')}`,
    });
  }
  return controls;
}

async function openInstall(name, version) {
  const panel = $('#install-panel');
  const v = await api('GET', pluginPath(name, 'versions', version));
  const m = v.manifest ?? {};
  const perms = permissionControls(m.permissions);
  const config = el('textarea', { name: 'config', rows: 4, 'aria-describedby': 'install-config-help' }, '{}');
  const form = el(
    'form',
    { id: 'install-form' },
    perms.length === 0
      ? el('p', {}, 'This plugin asks for no permissions (no storage, no network).')
      : el('fieldset', {}, el('legend', {}, 'Permissions it asks for'), perms.map((p) => el('div', {}, p.box, ' ', el('label', { for: p.box.id }, p.label)))),
    field('Config (JSON)', config),
    el('p', { id: 'install-config-help', class: 'help' }, m.config ? 'It must match the plugin’s config schema below.' : 'This plugin declares no config schema.'),
    m.config ? el('details', {}, el('summary', {}, 'Config schema'), el('pre', {}, json(m.config))) : null,
    el('button', { type: 'submit' }, `Install ${name}@${version}`),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(event.submitter, async () => {
      const body = { plugin: name, version };
      const cfg = parseJsonField(config, 'The config');
      if (cfg !== undefined) body.config = cfg;
      const grant = {};
      for (const p of perms) if (p.box.checked) p.grant(grant);
      if (Object.keys(grant).length > 0) body.grantPermissions = grant;
      const install = await api('POST', '/v1/installs', body);
      replace(panel, el('p', {}, `Installed ${install.plugin}@${install.version} (status ${install.status}). `, el('a', { href: '#installs' }, 'Go to your installs to run it.')));
      announce(`Installed ${install.plugin}@${install.version}.`);
    }, 'Install failed');
  });
  replace(panel, el('h3', {}, `Install ${name}@${version}`), trustBadge(v.trust.score, v.trust.risk), el('p', {}, m.description ?? ''), form);
  panel.hidden = false;
  panel.focus();
}
