// The console's entry point: sign in / out, what the key can do, and the
// views (one per hash: #review, #marketplace, #installs, #usage, #publisher).
import { api } from './api.js';
import { $, el, replace } from './dom.js';
import { showInstalls } from './installs.js';
import { showMarketplace } from './marketplace.js';
import { showPublisher } from './publisher.js';
import { showReview } from './review.js';
import { session } from './session.js';
import { announce, busy, clearMessages, showError } from './ui.js';
import { showUsage } from './usage.js';

const VIEWS = {
  review: { needs: ['reviews:write'], show: showReview },
  marketplace: { needs: ['*'], show: showMarketplace },
  installs: { needs: ['plugins:install', 'plugins:execute'], show: showInstalls },
  usage: { needs: ['billing:read'], show: showUsage },
  publisher: { needs: ['plugins:publish'], show: showPublisher },
};

const CAPABILITIES = {
  admin: 'Operate the host: tenants, keys, tiers, and everything below.',
  'reviews:write': 'Review: read the queue, the trust breakdown and the code; approve, reject or yank versions.',
  'plugins:publish': 'Publish plugins under your scope and follow their versions and analytics.',
  'plugins:install': 'Install plugins from the marketplace, with permission grants and config.',
  'plugins:execute': 'Run installed plugins.',
  'billing:read': 'See the subscription, usage, quota and invoices.',
  'billing:write': 'Change the subscription and pay invoices.',
  'webhooks:write': 'Manage webhooks.',
};

async function signIn(key) {
  session.store(key);
  try {
    session.setMe(await api('GET', '/v1/me'));
  } catch (err) {
    session.clear();
    showError(err, 'Sign-in failed');
    $('#api-key').focus();
    return;
  }
  $('#api-key').value = '';
  renderSignedIn();
  announce(`Signed in as ${session.me().tenant.name}.`);
  route();
}

function signOut() {
  session.clear();
  for (const id of ['review-queue', 'review-detail', 'plugin-results', 'install-panel', 'installs-list', 'run-panel', 'subscription', 'usage-summary', 'usage-by-plugin', 'usage-by-day', 'invoices', 'invoice-detail', 'publisher-plugins', 'capabilities', 'search-summary']) {
    replace(document.getElementById(id));
  }
  $('#invoice-detail').hidden = true;
  renderSignedOut();
  announce('Signed out. The key was removed from this tab.');
  $('#api-key').focus();
}

function renderSignedIn() {
  const me = session.me();
  $('#sign-in-form').hidden = true;
  $('#who').hidden = false;
  replace($('#who-text'), 'Signed in as ', el('strong', {}, me.tenant.name), ` (${me.tenant.slug}, ${me.tenant.tier} tier)`);
  replace($('#capabilities'), me.scopes.map((s) => el('li', {}, el('code', {}, s), ': ', CAPABILITIES[s] ?? 'Other access.')));
  for (const item of document.querySelectorAll('#nav li[data-needs]')) item.hidden = !session.can(...item.dataset.needs.split(' '));
  $('#nav').hidden = false;
  $('#view-welcome').hidden = true;
}

function renderSignedOut() {
  $('#sign-in-form').hidden = false;
  $('#who').hidden = true;
  $('#nav').hidden = true;
  for (const section of document.querySelectorAll('main > section')) section.hidden = section.id !== 'view-welcome';
  if (location.hash !== '') history.replaceState(null, '', location.pathname);
}

/** Show the view the hash names (or the key's first one), and load its data. */
function route() {
  if (session.me() === null) return;
  const allowed = Object.keys(VIEWS).filter((name) => session.can(...VIEWS[name].needs));
  let name = location.hash.slice(1);
  if (!allowed.includes(name)) name = allowed[0];
  for (const section of document.querySelectorAll('main > section')) {
    section.hidden = !(section.id === `view-${name}` || section.id === 'view-capabilities');
  }
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.getAttribute('href') === `#${name}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  VIEWS[name].show().catch((err) => showError(err));
}

function start() {
  $('#sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const key = $('#api-key').value.trim();
    clearMessages();
    if (key === '') return;
    void busy(event.submitter, () => signIn(key));
  });
  $('#sign-out').addEventListener('click', signOut);
  window.addEventListener('hashchange', () => {
    clearMessages();
    route();
    $('#main').focus();
  });
  const key = session.key();
  if (key) void signIn(key);
  else renderSignedOut();
}

start();
