/**
 * The console end to end, in real headless Chromium (playwright-core) against
 * a real host listening on a loopback port (the test host's app in an
 * http.Server, with a sandbox worker, on the embedded database):
 *
 * - a reviewer signs in, sees a pending version with its breakdown and code, approves it;
 * - a tenant signs in, finds the plugin by search, installs it (with config), runs it, sees the output;
 * - attacker-controlled text (a description and code with `<img src=x onerror=…>`) renders as text;
 * - a bad key shows the `unauthorized` error; signing out clears the key;
 * - a publisher sees the hourly analytics of their plugin (after a rollup);
 * - a tenant sees its subscription, usage and quota, and a closed period's invoice with its lines;
 * - a tenant sees a gradual rollout with each version's success rate, and aborts it;
 * - the trust factors and the quota are charts whose labels say their numbers; installed plugins are marked;
 * - at a phone's 390 px every view fits the screen and no button label wraps;
 * - a tenant reads a shadow report, the differing outputs side by side, and stops it.
 *
 * Chromium that cannot start skips the suite with a message on a laptop and
 * FAILS it in CI (`CI=true`), like every other configured dependency.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { packDirectory } from '../../marketplace/package-archive.js';
import { backends, useDatabase } from '../support/database-backends.js';
import { inCi } from '../support/suite-backend.js';
import { bearer, createKey, createTenant, startTestHost, type TestHost } from '../support/test-host.js';
import { packageOf, pluginPath, publish } from '../host/marketplace/marketplace-host.js';

const CHROMIUM = process.env.BAZAAR_CHROMIUM ?? '/usr/bin/chromium';
/** A folder to keep a full-page screenshot of each view of the phone test in (to look at them), or none. */
const SCREENSHOTS = process.env.BAZAAR_CONSOLE_SCREENSHOTS;
const SLUGIFY = fileURLToPath(new URL('../../../examples/slugify/', import.meta.url));
const XSS_DESCRIPTION = '<img src=x onerror="window.__xss=1"> Totally safe plugin';
const XSS_CODE = '// </code></pre><img src=x onerror="window.__xss=2">\nexport function hello() { return { ok: true }; }\n';

async function launch(): Promise<Browser | null> {
  try {
    return await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  } catch (err) {
    if (inCi) throw new Error(`Chromium could not start in CI (${CHROMIUM}): ${(err as Error).message}`);
    console.warn(`  (skipping the console end-to-end tests: Chromium could not start at ${CHROMIUM}: ${(err as Error).message.split('\n')[0]})`);
    return null;
  }
}

// The browser part does not depend on the database backend: the embedded one is enough.
const backend = backends[0]!;

describe(`console end to end in Chromium (${backend.name})`, function () {
  this.timeout(120_000);
  // No trials: a paid tenant's first period is billed, so closing it makes an invoice with a total.
  const database = useDatabase(backend, { BAZAAR_BILLING_TRIAL_DAYS: '0' });
  let host: TestHost;
  let server: Server;
  let base: string;
  let browser: Browser | null = null;
  let context: BrowserContext;
  let page: Page;
  /** Page errors and CSP violations: the console must cause none. */
  let problems: string[];
  const keys = { reviewer: '', tenant: '', publisher: '' };

  before(async function () {
    browser = await launch();
    if (browser === null) this.skip();
    host = await startTestHost(database.current);
    server = createServer(host.app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const examples = await createTenant(host, { slug: 'examples', name: 'Examples Inc' });
    const staff = await createTenant(host, { slug: 'staff', name: 'Platform Staff' });
    const acme = await createTenant(host, { slug: 'acme', name: 'Acme Corp' });
    keys.publisher = (await createKey(host, examples.id, ['plugins:publish'])).key;
    keys.reviewer = (await createKey(host, staff.id, ['reviews:write'])).key;
    keys.tenant = (await createKey(host, acme.id, ['plugins:install', 'plugins:execute', 'billing:read'])).key;

    await publish(host, keys.publisher, await packDirectory(SLUGIFY)).expect(201);
    // A hostile publisher: 1.0.0 approved (in the marketplace), 1.0.1 pending (in the queue), both with markup in their text.
    const hostile = { name: '@examples/xss', description: XSS_DESCRIPTION };
    await publish(host, keys.publisher, packageOf({ ...hostile, version: '1.0.0' }, { 'index.js': XSS_CODE })).expect(201);
    await host.http().post(pluginPath('@examples/xss', 'versions', '1.0.0', 'review')).set(bearer(keys.reviewer)).send({ decision: 'approve', notes: 'test' }).expect(200);
    await publish(host, keys.publisher, packageOf({ ...hostile, version: '1.0.1' }, { 'index.js': XSS_CODE })).expect(201);
  });

  after(async () => {
    await browser?.close();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await host?.close();
  });

  beforeEach(async () => {
    context = await browser!.newContext();
    page = await context.newPage();
    problems = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    await page.goto(`${base}/console`);
  });

  afterEach(async () => {
    await context?.close();
  });

  async function signIn(key: string): Promise<void> {
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#who').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#sign-in-form').isVisible(), false);
  }

  /** The trust factors chart in `box`: its label says every factor's number, and each number is drawn. */
  async function assertTrustChart(box: Locator, version: string, factors: Record<string, number>): Promise<void> {
    const chart = box.locator('figure.trust-factors svg[role="img"]');
    const names = { codeQuality: 'Code quality', executionHistory: 'Execution history', security: 'Security', community: 'Community', maintenance: 'Maintenance', compliance: 'Compliance' };
    const said = Object.entries(names).map(([key, name]) => `${name} ${factors[key]}`).join(', ');
    assert.equal(Object.keys(factors).length, 6);
    assert.equal(await chart.getAttribute('aria-label'), `Trust factors of ${version} (0–100 each): ${said}`);
    assert.deepEqual(await chart.locator('text.value').allTextContents(), Object.keys(names).map((key) => String(factors[key])));
    // A bar per factor, as long as its score (the track is the full 100).
    const rects = chart.locator('rect');
    const widths: string[] = [];
    for (let i = 0; i < (await rects.count()); i++) widths.push(`${await rects.nth(i).getAttribute('class')} ${await rects.nth(i).getAttribute('width')}`);
    const track = Number(widths.find((w) => w.startsWith('track'))!.split(' ')[1]);
    const expected = Object.keys(names).flatMap((key) => [`track ${track}`, ...(factors[key]! > 0 ? [`bar ${Math.round((factors[key]! / 100) * track)}`] : [])]);
    assert.deepEqual(widths, expected);
  }

  /** Neither hostile handler ran, and the hostile text never became an element. */
  async function assertNoInjection(): Promise<void> {
    assert.equal(await page.evaluate('typeof window.__xss'), 'undefined');
    assert.equal(await page.locator('main img').count(), 0);
  }

  it('should let a reviewer read a pending version breakdown and code, and approve it', async () => {
    await signIn(keys.reviewer);
    assert.match(await page.locator('#who-text').innerText(), /Platform Staff/);
    assert.match(await page.locator('#capabilities').innerText(), /reviews:write/);
    // Only what the key may do is offered.
    assert.equal(await page.getByRole('link', { name: 'Review queue' }).isVisible(), true);
    assert.equal(await page.getByRole('link', { name: 'Installs', exact: true }).isVisible(), false);

    const queue = page.locator('#review-queue');
    await queue.getByRole('heading', { name: '@examples/slugify@1.0.0' }).waitFor();
    await page.getByRole('button', { name: 'Review @examples/slugify@1.0.0' }).click();

    const detail = page.locator('#review-detail');
    await detail.getByRole('heading', { name: '@examples/slugify@1.0.0' }).waitFor();
    const factors = detail.locator('table', { has: page.locator('caption', { hasText: 'Trust factors' }) });
    for (const factor of ['Code quality', 'Execution history', 'Security', 'Community', 'Maintenance', 'Compliance']) {
      assert.equal(await factors.getByRole('cell', { name: factor, exact: true }).count(), 1, factor);
    }
    assert.match(await detail.locator('.badge').first().innerText(), /^Trust \d+ · (minimal|low|medium|high|critical) risk$/);
    // The six factors as a chart: its label says each number the API gives, and each is drawn as text.
    const pending = await host.http().get(pluginPath('@examples/slugify', 'versions', '1.0.0')).set(bearer(keys.reviewer)).expect(200);
    await assertTrustChart(detail, '@examples/slugify@1.0.0', pending.body.trust.factors);
    assert.equal(await detail.locator('table', { has: page.locator('caption', { hasText: 'Evidence' }) }).count(), 1);
    await detail.locator('#review-code summary', { hasText: 'index.js' }).waitFor();
    assert.match(await detail.locator('#review-code').innerText(), /export function slugify/);

    await detail.getByLabel('Notes (kept in the audit log)').fill('Read the code: no network, no kv.');
    await detail.getByRole('button', { name: 'Approve' }).click();
    await page.locator('#status', { hasText: 'Approved @examples/slugify@1.0.0' }).waitFor();
    assert.equal(await queue.getByRole('heading', { name: '@examples/slugify@1.0.0' }).count(), 0);
    const version = await host.http().get(pluginPath('@examples/slugify', 'versions', '1.0.0')).set(bearer(keys.reviewer)).expect(200);
    assert.equal(version.body.status, 'approved');

    // The hostile pending version: its description and code are text.
    await page.getByRole('button', { name: 'Review @examples/xss@1.0.1' }).click();
    await detail.getByRole('heading', { name: '@examples/xss@1.0.1' }).waitFor();
    await detail.locator('#review-code summary', { hasText: 'index.js' }).waitFor();
    assert.ok((await detail.innerText()).includes(XSS_DESCRIPTION));
    assert.ok((await detail.locator('#review-code').innerText()).includes('</code></pre><img src=x onerror="window.__xss=2">'));
    await assertNoInjection();
    assert.deepEqual(problems, []);
  });

  it('should let a tenant find a plugin by search, install it with config, run it and see the output', async () => {
    await host.http().post(pluginPath('@examples/slugify', 'versions', '1.0.0', 'review')).set(bearer(keys.reviewer)).send({ decision: 'approve', notes: 'ok' });
    await signIn(keys.tenant);
    assert.match(await page.locator('#who-text').innerText(), /Acme Corp/);
    assert.equal(await page.getByRole('link', { name: 'Review queue' }).isVisible(), false);

    await page.getByRole('link', { name: 'Marketplace' }).click();
    await page.getByLabel('Search plugins').fill('slug');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const results = page.locator('#plugin-results');
    await results.getByRole('heading', { name: '@examples/slugify' }).waitFor();
    assert.equal(await results.getByRole('heading', { name: '@examples/xss' }).count(), 0);
    assert.match(await results.locator('.badge').first().innerText(), /Trust \d+ · \w+ risk/);

    // Not installed yet: no badge, and the button installs.
    const slugifyCard = results.locator('li', { has: page.getByRole('heading', { name: '@examples/slugify' }) });
    assert.equal(await slugifyCard.locator('.badge.installed').count(), 0);
    await page.getByRole('button', { name: 'Install @examples/slugify' }).click();
    const install = page.locator('#install-panel');
    await install.getByRole('heading', { name: '@examples/slugify@1.0.0', exact: true }).waitFor();
    const latest = await host.http().get(pluginPath('@examples/slugify', 'versions', '1.0.0')).set(bearer(keys.tenant)).expect(200);
    await assertTrustChart(install, '@examples/slugify@1.0.0', latest.body.trust.factors);
    assert.equal(await install.locator('.badge.installed').count(), 0);
    await install.getByLabel('Config (JSON)').fill('{"separator":"_"}');
    await install.getByRole('button', { name: 'Install @examples/slugify@1.0.0' }).click();
    await page.locator('#status', { hasText: 'Installed @examples/slugify@1.0.0' }).waitFor();
    // The form is gone; focus moved on to the next step.
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Go to your installs to run it.');
    // Now marked installed, with its version, in the detail and in the list (and still after a new search).
    assert.equal(await install.locator('.badge.installed').innerText(), 'Installed 1.0.0');
    assert.equal(await slugifyCard.locator('.badge.installed').innerText(), 'Installed 1.0.0');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('#status', { hasText: '1 plugin matching' }).waitFor();
    assert.equal(await slugifyCard.locator('.badge.installed').innerText(), 'Installed 1.0.0');
    await page.getByRole('button', { name: 'Details of @examples/slugify' }).click();
    await install.getByRole('link', { name: 'Go to your installs to run it.' }).waitFor();
    assert.equal(await install.getByRole('button', { name: /^Install / }).count(), 0);
    assert.equal(await install.locator('.badge.installed').innerText(), 'Installed 1.0.0');

    await page.getByRole('link', { name: 'Installs', exact: true }).click();
    await page.getByRole('button', { name: 'Run @examples/slugify' }).click();
    const run = page.locator('#run-panel');
    await run.getByLabel('Input (JSON)').fill('{"title":"Hello Bazaar"}');
    await run.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('#run-output').waitFor();
    assert.deepEqual(JSON.parse(await page.locator('#run-output').innerText()), { slug: 'hello_bazaar' });
    assert.match(await page.locator('#run-logs').innerText(), /slugifying 12 chars/);
    assert.match(await page.locator('#status').innerText(), /Run succeeded/);

    // Invalid input is an execution too: its code is shown.
    await run.getByLabel('Input (JSON)').fill('{"nope":1}');
    await run.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('#alert', { hasText: 'invalid_input' }).waitFor();

    // Usage: the chart has a bar for the plugin; the invoices list shows the running period's draft.
    await page.getByRole('link', { name: 'Usage & invoices' }).click();
    await page.locator('#usage-by-plugin svg[role="img"]').waitFor();
    assert.match(await page.locator('#usage-by-plugin svg').textContent() ?? '', /@examples\/slugify/);
    await page.locator('#invoices table').getByText('draft').waitFor();
    // The one API error the console handles here: 422 (the failed run).
    assert.deepEqual(problems.filter((p) => !/status of 422/.test(p)), []);
  });

  it('should render a hostile plugin description as text in the marketplace', async () => {
    await signIn(keys.tenant);
    await page.getByRole('link', { name: 'Marketplace' }).click();
    await page.getByLabel('Search plugins').fill('safe');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const card = page.locator('#plugin-results li', { has: page.getByRole('heading', { name: '@examples/xss' }) });
    await card.waitFor();
    assert.equal(await card.locator('p').first().textContent(), XSS_DESCRIPTION);
    assert.equal(await card.locator('img').count(), 0);
    assert.equal(await card.locator('.badge.installed').count(), 0);
    await page.waitForTimeout(200); // an injected <img src=x> would have errored by now
    await assertNoInjection();
    assert.deepEqual(problems, []);
  });

  it('should show the unauthorized error for a bad key, and sign out clears the key', async () => {
    // By keyboard alone: Tab past the skip link to the key field (focus visible), type, Enter.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Skip to content');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.id'), 'api-key');
    assert.notEqual(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle'), 'none');
    await page.keyboard.type('bzr_ffffffffffffffffffffffffffffffff');
    await page.keyboard.press('Enter');
    const alert = page.getByRole('alert');
    await alert.locator('code', { hasText: 'unauthorized' }).waitFor();
    assert.match(await alert.innerText(), /unauthorized — /);
    assert.equal(await page.evaluate('sessionStorage.length'), 0);
    assert.equal(await page.locator('#sign-in-form').isVisible(), true);

    await signIn(keys.publisher);
    assert.equal(await page.evaluate('sessionStorage.length'), 1);
    // The publisher's view: its plugins with every version status.
    await page.getByRole('link', { name: 'My plugins' }).click();
    await page.locator('#publisher-plugins').getByRole('heading', { name: '@examples/xss' }).waitFor();
    assert.match(await page.locator('#publisher-plugins').innerText(), /pending review/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('#status', { hasText: 'Signed out' }).waitFor();
    assert.equal(await page.evaluate('sessionStorage.length'), 0);
    assert.equal(await page.locator('#publisher-plugins').innerText(), '');
    // A reload stays signed out.
    await page.reload();
    assert.equal(await page.locator('#sign-in-form').isVisible(), true);
    assert.deepEqual(problems.filter((p) => !/status of 401/.test(p)), []);
  });

  /** `tenantKey` installs slugify (approved here if not yet) and runs it `times` times through the API. */
  async function runSlugify(tenantKey: string, times: number): Promise<void> {
    await host.http().post(pluginPath('@examples/slugify', 'versions', '1.0.0', 'review')).set(bearer(keys.reviewer)).send({ decision: 'approve', notes: 'ok' });
    const install = await host.http().post('/v1/installs').set(bearer(tenantKey)).send({ plugin: '@examples/slugify' });
    assert.ok(install.status === 201 || install.status === 409, JSON.stringify(install.body));
    const installs = await host.http().get('/v1/installs').set(bearer(tenantKey)).expect(200);
    const id = (installs.body.items as { id: string; plugin: string }[]).find((i) => i.plugin === '@examples/slugify')!.id;
    for (let i = 0; i < times; i++) {
      const run = await host.http().post(`/v1/installs/${id}/executions`).set(bearer(tenantKey)).send({ input: { title: `Run ${i}` } });
      assert.equal(run.status, 200, JSON.stringify(run.body));
    }
  }

  it('should show a publisher the hourly analytics of their plugin', async () => {
    const globex = await createTenant(host, { slug: 'globex', name: 'Globex' });
    await runSlugify((await createKey(host, globex.id, ['plugins:install', 'plugins:execute'])).key, 3);
    await host.deps.analytics.rollup.runOnce();

    await signIn(keys.publisher);
    await page.getByRole('link', { name: 'My plugins' }).click();
    await page.getByRole('button', { name: 'Show analytics for @examples/slugify' }).click();
    const chart = page.locator('#publisher-plugins figure', { hasText: 'Executions per hour of @examples/slugify' });
    await chart.locator('svg[role="img"]').waitFor();
    // Every execution of the plugin (this test's and earlier ones) is in the per-version totals and the chart.
    const executions = Number((await host.deps.db('usage_records').where({ plugin_name: '@examples/slugify' }).count({ n: '*' }))[0]!.n);
    assert.ok(executions >= 3);
    const perVersion = page.locator('#publisher-plugins table', { has: page.locator('caption', { hasText: 'Executions of @examples/slugify per version' }) });
    const row = perVersion.locator('tbody tr');
    assert.equal(await row.count(), 1);
    assert.deepEqual((await row.locator('td').allInnerTexts()).slice(0, 2), ['1.0.0', String(executions)]);
    const bars = await chart.locator('svg text').allTextContents();
    assert.equal(bars.filter((t) => /^\d+$/.test(t)).reduce((n, t) => n + Number(t), 0), executions);
    const hours = page.locator('#publisher-plugins table', { has: page.locator('caption', { hasText: 'Hours of @examples/slugify' }) });
    assert.match(await hours.innerText(), /Wall p95 ms/);
    assert.deepEqual(problems, []);
  });

  /**
   * A pro tenant allowed 2 executions a month that ran slugify 3 times; a
   * month and a day later the operator closed the period (the scheduler's
   * job: an open invoice with an overage line), then one more run.
   */
  async function tenantWithInvoice(slug: string, name: string): Promise<{ key: string; invoice: InvoiceJson }> {
    const tenant = await createTenant(host, { slug, name, tier: 'pro' });
    await host.http().put(`/v1/tenants/${tenant.id}/settings`).set(bearer(host.adminKey)).send({ limits: { executionsPerMonth: 2 } }).expect(200);
    const key = (await createKey(host, tenant.id, ['plugins:install', 'plugins:execute', 'billing:read'])).key;
    await runSlugify(key, 3);
    host.clock.advance(32 * 24 * 60 * 60 * 1000);
    const closed = await host.http().post('/v1/billing/close-period').set(bearer(host.adminKey)).expect(200);
    const invoiceId = (closed.body.closed as { tenantId: string; invoiceId: string }[]).find((c) => c.tenantId === tenant.id)!.invoiceId;
    const invoice = (await host.http().get(`/v1/invoices/${invoiceId}`).set(bearer(key)).expect(200)).body;
    assert.equal(invoice.status, 'open');
    await runSlugify(key, 1);
    return { key, invoice };
  }

  it("should show a tenant its subscription, quota and a closed period's invoice with its lines", async () => {
    const { key, invoice } = await tenantWithInvoice('initech', 'Initech');

    await signIn(key);
    await page.getByRole('link', { name: 'Usage & invoices' }).click();
    const subscription = page.locator('#subscription');
    await subscription.locator('dl').waitFor();
    assert.match(await subscription.innerText(), /Tier\s+pro/);
    assert.match(await subscription.innerText(), /Status\s+active/);
    assert.match(await subscription.innerText(), /Renews at/);
    // The new period's quota: one run of two.
    await page.locator('#usage-summary dl').waitFor();
    assert.match(await page.locator('#usage-summary').innerText(), /Quota this billing period\s+1 of 2 used, 1 left/);
    // The quota as a chart: the numbers in its label and drawn as text.
    const quota = page.locator('#usage-summary figure svg[role="img"]');
    assert.equal(await quota.getAttribute('aria-label'), 'Quota this billing period: Executions used 1 of 2 (50%)');
    assert.equal(await quota.locator('text.value').textContent(), '1 of 2 (50%)');
    await page.locator('#usage-by-plugin svg[role="img"]').waitFor();

    const period = `${invoice.periodStart.slice(0, 10)} – ${invoice.periodEnd.slice(0, 10)}`;
    const list = page.locator('#invoices table');
    await list.waitFor();
    const row = list.locator('tbody tr', { hasText: period });
    assert.deepEqual((await row.locator('td').allInnerTexts()).slice(0, 5), [period, 'open', String(invoice.lines.length), usd(invoice.subtotalCents), usd(invoice.totalCents)]);
    await page.getByRole('button', { name: `Show invoice ${period}` }).click();
    const detail = page.locator('#invoice-detail');
    await detail.getByRole('heading', { name: `Invoice ${period}` }).waitFor();
    const lines = detail.locator('table', { has: page.locator('caption', { hasText: 'Invoice lines' }) }).locator('tbody tr');
    const shown = [];
    for (let i = 0; i < (await lines.count()); i++) shown.push((await lines.nth(i).locator('td').allInnerTexts()).slice(0, 4));
    assert.deepEqual(shown, (invoice.lines as { kind: string; plugin: string | null; quantity: number; amountCents: number }[]).map((l) => [l.kind.replace('_', ' '), l.plugin ?? '', String(l.quantity), usd(l.amountCents)]));
    assert.deepEqual(shown.map((l) => l[0]), ['subscription', 'overage']);
    assert.deepEqual(shown[1]!.slice(1, 3), ['@examples/slugify', '1']);
    const totals = await detail.locator('dl').last().innerText();
    assert.match(totals, new RegExp(`Subtotal\\s+\\${usd(invoice.subtotalCents)}`));
    assert.match(totals, new RegExp(`Tax \\(10%\\)\\s+\\${usd(invoice.taxCents)}`));
    assert.match(totals, new RegExp(`Total\\s+\\${usd(invoice.totalCents)}`));
    assert.deepEqual(problems, []);
  });

  it("should show a tenant's rollout with each version's success rate, and abort it from the installs view", async () => {
    const canary = '@examples/canary';
    for (const version of ['1.0.0', '1.1.0']) {
      await publish(host, keys.publisher, packageOf({ name: canary, version })).expect(201);
      await host.http().post(pluginPath(canary, 'versions', version, 'review')).set(bearer(keys.reviewer)).send({ decision: 'approve', notes: 'ok' }).expect(200);
    }
    const installed = await host.http().post('/v1/installs').set(bearer(keys.tenant)).send({ plugin: canary, version: '1.0.0' }).expect(201);
    const id = installed.body.id as string;
    await host.http().patch(`/v1/installs/${id}`).set(bearer(keys.tenant)).send({ version: '1.1.0', rollout: { percent: 50 } }).expect(200);
    for (let i = 0; i < 20; i++) await host.http().post(`/v1/installs/${id}/executions`).set(bearer(keys.tenant)).send({ input: {} }).expect(200);
    const ran = (await host.http().get(`/v1/executions?install=${id}&limit=100`).set(bearer(keys.tenant)).expect(200)).body.items as { version: string }[];
    const of = (version: string) => ran.filter((e) => e.version === version).length;
    assert.equal(of('1.0.0') + of('1.1.0'), 20);

    await signIn(keys.tenant);
    await page.getByRole('link', { name: 'Installs', exact: true }).click();
    const row = page.locator('tr', { hasText: canary });
    const rates = (v: string) => (of(v) === 0 ? `${v}: no executions yet` : `${v}: 100% succeeded of ${of(v)}`);
    await row.getByText(`1.1.0 on 50% · ${rates('1.0.0')} · ${rates('1.1.0')}`).waitFor();
    assert.equal(await row.getByRole('button', { name: 'Promote 1.1.0' }).count(), 1);
    await row.getByRole('button', { name: 'Abort rollout' }).click();
    await page.locator('#status', { hasText: `${canary} runs 1.0.0 only again.` }).waitFor();
    await row.getByText('none (last aborted: aborted by the tenant)').waitFor();
    assert.equal(await row.getByRole('button', { name: 'Abort rollout' }).count(), 0);
    const after = await host.http().get(`/v1/installs/${id}`).set(bearer(keys.tenant)).expect(200);
    assert.deepEqual([after.body.version, after.body.rollout], ['1.0.0', null]);
    assert.deepEqual(problems, []);
  });

  it('should fit a 390 px wide phone in every view, as each role that sees it, with no button label wrapping', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    // The worst case for narrow cards, buttons and tables: a long name and a long unbroken description.
    const long = '@examples/a-plugin-with-a-rather-long-name-for-small-phones';
    await publish(host, keys.publisher, packageOf({ name: long, version: '1.0.0', description: `Unbroken:${'x'.repeat(120)}` })).expect(201);
    await host.http().post(pluginPath(long, 'versions', '1.0.0', 'review')).set(bearer(keys.reviewer)).send({ decision: 'approve', notes: 'ok' }).expect(200);
    const { key: tenantKey } = await tenantWithInvoice('umbrella', 'Umbrella Corporation');
    // Rolled up to now (passes catch up a bounded number of hours each): the publisher has analytics to show.
    for (let pass = await host.deps.analytics.rollup.runOnce(); pass !== null && pass.to <= host.clock.now(); pass = await host.deps.analytics.rollup.runOnce());

    const fits = async (view: string): Promise<void> => {
      if (SCREENSHOTS) await page.screenshot({ path: `${SCREENSHOTS}/${view.replaceAll(' ', '-')}.png`, fullPage: true });
      assert.deepEqual(await page.evaluate(LAYOUT_PROBLEMS), [], view);
    };
    const visit = async (link: string): Promise<void> => {
      await page.getByRole('link', { name: link, exact: true }).click();
    };
    const signOut = async (): Promise<void> => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.locator('#sign-in-form').waitFor({ state: 'visible' });
    };
    const openDetail = async (name: string): Promise<void> => {
      await page.locator('#plugin-results').getByRole('heading', { name, exact: true }).waitFor();
      await page.getByRole('button', { name: new RegExp(`^(Details of|Install) ${name.replace(/[/@.-]/g, '\\$&')}$`) }).click();
      await page.locator('#install-panel figure.trust-factors').waitFor();
    };

    await fits('signed out');
    await page.getByLabel('API key').fill('bzr_ffffffffffffffffffffffffffffffff');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').locator('code', { hasText: 'unauthorized' }).waitFor();
    await fits('sign-in error');

    // A reviewer: the queue, a version's breakdown with its code, the marketplace and a plugin's detail.
    await signIn(keys.reviewer);
    await page.getByRole('button', { name: 'Review @examples/xss@1.0.1' }).waitFor();
    await fits('review queue');
    await page.getByRole('button', { name: 'Review @examples/xss@1.0.1' }).click();
    await page.locator('#review-code summary', { hasText: 'index.js' }).waitFor();
    await fits('review detail');
    await visit('Marketplace');
    await openDetail(long);
    await fits('marketplace as a reviewer');
    await signOut();

    // A tenant: the marketplace with an installed plugin and one to install, installs with a run, usage and an invoice.
    await signIn(tenantKey);
    await visit('Marketplace');
    await openDetail('@examples/slugify');
    await page.locator('#install-panel .badge.installed').waitFor();
    await fits('installed plugin detail');
    await openDetail(long);
    await page.locator('#install-form').waitFor();
    await fits('plugin detail with the install form');
    await visit('Installs');
    await page.getByRole('button', { name: 'Run @examples/slugify' }).click();
    await page.locator('#run-panel').getByLabel('Input (JSON)').fill('{"title":"Hello phone"}');
    await page.locator('#run-panel').getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('#run-output').waitFor();
    await fits('installs with a run');
    await visit('Usage & invoices');
    await page.locator('#usage-summary figure svg[role="img"]').waitFor();
    await page.locator('#usage-by-day svg[role="img"]').waitFor();
    await page.locator('#invoices table').getByText('open').waitFor();
    await fits('usage');
    await page.locator('#invoices').getByRole('button', { name: /^Show invoice / }).first().click();
    await page.locator('#invoice-detail table').waitFor();
    await fits('usage with an invoice');
    await signOut();

    // A publisher: its plugins with every version, and one plugin's analytics.
    await signIn(keys.publisher);
    await visit('My plugins');
    await page.getByRole('button', { name: 'Show analytics for @examples/slugify' }).click();
    await page.locator('#publisher-plugins figure svg[role="img"]').waitFor();
    await fits('publisher');
    // The one API error here is the bad key's 401.
    assert.deepEqual(problems.filter((p) => !/status of 401/.test(p)), []);
  });

  it("should show a tenant the shadow report, each differing run's outputs side by side, and stop it", async () => {
    // slugify 1.1.0 joins words with "-" whatever the config says; acme's install (1.0.0) is configured with "_".
    const copy = await mkdtemp(path.join(tmpdir(), 'bazaar-console-shadow-'));
    await cp(SLUGIFY, copy, { recursive: true });
    const manifest = JSON.parse(await readFile(path.join(copy, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(path.join(copy, 'manifest.json'), JSON.stringify({ ...manifest, version: '1.1.0' }));
    await writeFile(path.join(copy, 'index.js'), (await readFile(path.join(copy, 'index.js'), 'utf8')).replace('slug + separator + word', "slug + '-' + word"));
    await publish(host, keys.publisher, await packDirectory(copy)).expect(201);
    await host.http().post(pluginPath('@examples/slugify', 'versions', '1.1.0', 'review')).set(bearer(keys.reviewer)).send({ decision: 'approve', notes: 'ok' }).expect(200);
    const installs = await host.http().get('/v1/installs').set(bearer(keys.tenant)).expect(200);
    const id = (installs.body.items as { id: string; plugin: string }[]).find((i) => i.plugin === '@examples/slugify')!.id;
    await host.http().patch(`/v1/installs/${id}`).set(bearer(keys.tenant)).send({ shadow: { version: '1.1.0', sampleRate: 1 } }).expect(200);
    for (const title of ['Shadow Check', 'Alone']) {
      await host.http().post(`/v1/installs/${id}/executions`).set(bearer(keys.tenant)).send({ input: { title } }).expect(200);
    }
    await host.deps.shadowRunner.idle();

    await signIn(keys.tenant);
    await page.getByRole('link', { name: 'Installs', exact: true }).click();
    await page.getByRole('button', { name: 'Shadow report' }).click();
    const panel = page.locator('#run-panel');
    await panel.getByRole('heading', { name: 'Shadow of @examples/slugify: 1.0.0 against 1.1.0' }).waitFor();
    assert.match(await panel.locator('dl.facts').innerText(), /Compared\s+2[\s\S]*Identical\s+1[\s\S]*Different\s+1/);
    const row = panel.locator('tbody tr');
    assert.equal(await row.count(), 1);
    const [current, candidate] = await row.locator('pre.shadow-output').allInnerTexts();
    assert.deepEqual([JSON.parse(current!), JSON.parse(candidate!)], [{ slug: 'shadow_check' }, { slug: 'shadow-check' }]);

    await page.getByRole('button', { name: 'Stop shadow' }).click();
    await page.locator('#status', { hasText: 'Stopped the shadow runs of @examples/slugify.' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Shadow report' }).count(), 0);
    assert.deepEqual(problems, []);
  });
});

/**
 * What does not fit a narrow screen, read in the page (a string: the tests
 * compile without the DOM's types): the document wider than the viewport, and
 * buttons whose label wraps, i.e. its text's line boxes sit on more than one
 * line, or the button is taller than one line of its own text.
 */
const LAYOUT_PROBLEMS = `(() => {
  const root = document.documentElement;
  const found = [];
  if (root.scrollWidth > root.clientWidth) found.push('the page is ' + root.scrollWidth + ' px wide in a ' + root.clientWidth + ' px viewport');
  const px = (v) => Number.parseFloat(v) || 0;
  for (const button of document.querySelectorAll('button')) {
    if (button.getClientRects().length === 0) continue; // not rendered
    const text = document.createRange();
    text.selectNodeContents(button);
    const lines = new Set([...text.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.bottom)));
    const style = getComputedStyle(button);
    const oneLine = px(style.lineHeight) + px(style.paddingTop) + px(style.paddingBottom) + px(style.borderTopWidth) + px(style.borderBottomWidth);
    const height = button.getBoundingClientRect().height;
    if (lines.size > 1 || height > oneLine + 2) found.push('button "' + button.textContent + '" wraps: ' + lines.size + ' lines, ' + Math.round(height) + ' px high for one line of ' + Math.round(oneLine));
  }
  return found;
})()`;

/** GET /v1/invoices/:id, the fields the tests read. */
interface InvoiceJson {
  status: string;
  periodStart: string;
  periodEnd: string;
  subtotalCents: number;
  taxCents: number;
  totalCents: number;
  lines: { kind: string; plugin: string | null; quantity: number; amountCents: number }[];
}

/** Integer cents as the console shows US dollars. */
function usd(cents: number): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100);
}
