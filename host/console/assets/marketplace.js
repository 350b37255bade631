// Tenants: the marketplace (search, trust badges, what this tenant already
// installed), a plugin's detail (its latest version's trust factors) and
// installing it with its permission grant and config.
import { api, pluginPath, query } from './api.js';
import { $, el, facts, field, json, replace, trustBadge, uid, when } from './dom.js';
import { session } from './session.js';
import { trustFactorsChart } from './trust.js';
import { announce, busy, parseJsonField } from './ui.js';

let wired = false;
/** The last search's plugins, drawn again when an install changes what is installed. */
let shown = [];
/** This tenant's installs by plugin name (GET /v1/installs). */
let installed = new Map();

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
  const [page] = await Promise.all([api('GET', `/v1/plugins${query({ q, sort, limit: 50 })}`), loadInstalled()]);
  shown = page.items;
  const summary = `${page.items.length} plugin${page.items.length === 1 ? '' : 's'}${q ? ` matching “${q}”` : ''}.`;
  replace($('#search-summary'), summary);
  if (page.items.length === 0) {
    replace($('#plugin-results'), el('li', { class: 'empty' }, q ? 'No approved plugin matches this search.' : 'No plugins are approved yet.'));
  } else {
    drawResults();
  }
  announce(summary);
}

function drawResults() {
  replace($('#plugin-results'), shown.map(card));
}

/** Every install of this tenant, by plugin (keys that can neither install nor run have none to list). */
async function loadInstalled() {
  const found = new Map();
  if (session.can('plugins:install', 'plugins:execute')) {
    let cursor = null;
    do {
      const page = await api('GET', `/v1/installs${query({ limit: 200, cursor })}`);
      for (const install of page.items) found.set(install.plugin, install);
      cursor = page.nextCursor;
    } while (cursor);
  }
  installed = found;
}

/** "Installed 1.0.0": the version this tenant runs (and the one waiting for its consent). */
function installedBadge(install) {
  const pending = install.pendingVersion ? ` (${install.pendingVersion} waits for consent)` : '';
  return el('span', { class: 'badge installed' }, `Installed ${install.version}${pending}`);
}

function card(p) {
  const mine = installed.get(p.name);
  const canInstall = session.can('plugins:install');
  const label = mine || !canInstall ? `Details of ${p.name}` : `Install ${p.name}`;
  return el(
    'li',
    {},
    el('h3', {}, p.name),
    el('div', { class: 'badges' }, trustBadge(p.trustScore, p.risk), mine ? installedBadge(mine) : null),
    el('p', {}, p.description ?? '(no description)'),
    el('p', { class: 'help' }, `Latest ${p.latestVersion} · ${p.installCount} install${p.installCount === 1 ? '' : 's'}`),
    el(
      'button',
      { type: 'button', class: label.startsWith('Details') ? 'secondary' : undefined, on: { click: (e) => void busy(e.currentTarget, () => openDetail(p.name, p.latestVersion), 'Loading the plugin failed') } },
      label,
    ),
    canInstall ? null : el('p', { class: 'help' }, 'Installing needs the plugins:install scope.'),
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

/** A plugin's detail (its latest version): badges, facts, trust factors, then installing it. */
async function openDetail(name, version) {
  const panel = $('#install-panel');
  const v = await api('GET', pluginPath(name, 'versions', version));
  const m = v.manifest ?? {};
  const mine = installed.get(name);
  const badges = el('div', { class: 'badges' }, trustBadge(v.trust.score, v.trust.risk), mine ? installedBadge(mine) : null);
  const action = el('div', {});
  const onInstalled = (install) => {
    installed.set(install.plugin, install);
    badges.append(installedBadge(install));
    replace(action, installedNote(install));
    drawResults();
    // The form (and its focused button) is gone: focus goes to the next step.
    action.querySelector('a')?.focus();
  };
  if (mine) replace(action, installedNote(mine));
  else if (session.can('plugins:install')) replace(action, installForm(name, version, m, onInstalled));
  else replace(action, el('p', { class: 'help' }, 'Installing needs the plugins:install scope.'));
  replace(
    panel,
    el('h3', {}, `${name}@${version}`),
    badges,
    el('p', {}, m.description ?? ''),
    v.deprecated ? el('p', { class: 'deprecated', role: 'note' }, `Deprecated: ${v.deprecated.message}`) : null,
    facts([
      ['License', m.license ?? ''],
      ['Published', when(v.publishedAt)],
    ]),
    trustFactorsChart(`Trust factors of ${name}@${version}`, v.trust),
    action,
  );
  panel.hidden = false;
  panel.focus();
}

function installedNote(install) {
  return el('p', {}, `Installed ${install.plugin}@${install.version} (status ${install.status}). `, el('a', { href: '#installs' }, 'Go to your installs to run it.'));
}

/** The install form: the permissions to grant, the config; `done(install)` after a 201. */
function installForm(name, version, m, done) {
  const perms = permissionControls(m.permissions);
  const config = el('textarea', { name: 'config', rows: 4, 'aria-describedby': 'install-config-help' }, '{}');
  const form = el(
    'form',
    { id: 'install-form', 'aria-labelledby': 'install-heading' },
    el('h4', { id: 'install-heading' }, `Install ${name}@${version}`),
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
      done(install);
      // Deprecation notices come back beside the install.
      announce([`Installed ${install.plugin}@${install.version}.`, ...(install.warnings ?? [])].join(' '));
    }, 'Install failed');
  });
  return form;
}
