/**
 * The admin console in a real browser (Debian's chromium through playwright-core) against a real
 * ldapsync server and slapd: sign in, configure the source, preview, apply, watch the run, filter
 * its outcomes, and a domain admin's narrower view. The screenshots go to a temporary folder, or to
 * docs/ for the README with `npm run screenshots` (LDAPSYNC_SCREENSHOTS=1), so `npm test` leaves the
 * tracked images alone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSlapd, SYNC_DN, SYNC_PW, BASE_DN, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { startApi, type TestApi } from '../support/api.ts';
import { bulkPeople, namedPeople, TEST_FILTER } from '../fixtures/people.ts';
import { createAdmin } from '../../src/auth/admins.ts';

const CHROMIUM = '/usr/bin/chromium';
const README_IMAGES = process.env.LDAPSYNC_SCREENSHOTS === '1';
let DOCS = new URL('../../docs/', import.meta.url).pathname;
const unavailable = existsSync(CHROMIUM) ? false : 'Debian chromium is not installed (apt-get install chromium; .ci/run does)';

describe('admin console in a browser', { skip: unavailable }, () => {
  let slapd: Slapd;
  let t: TestStore;
  let api: TestApi;
  let browser: Browser;
  let page: Page;
  let origin: string;

  const signIn = async (user: string, pass: string) => {
    await page.goto(`${origin}/`);
    await page.getByLabel('User name').fill(user);
    await page.getByLabel('Password').fill(pass);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(`Signed in as ${user}`).waitFor();
  };

  before(async () => {
    slapd = await startSlapd({ entries: [...namedPeople, ...bulkPeople(30)] });
    t = await storeVariants()[0]!.open();
    await t.store.domains.create({ name: 'example.org' });
    await t.store.domains.create({ name: 'other.example' });
    api = await startApi(t);
    await createAdmin(t.store, 'dom1', 'domain-one-password', [{ permission: 'DomainAdmin', param: '1' }]);
    origin = api.url.replace(/\/api\/v1$/, '');
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    if (!README_IMAGES) DOCS = `${mkdtempSync(join(tmpdir(), 'ldapsync-shots-'))}/`;
    mkdirSync(DOCS, { recursive: true });
  });
  after(async () => {
    await browser?.close(); await api?.close(); await slapd?.destroy(); await t?.cleanup();
    if (!README_IMAGES) rmSync(DOCS, { recursive: true, force: true });
  });

  test('sign in shows who is signed in and their scope', async () => {
    await page.goto(`${origin}/`);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Wrong user name or password.').waitFor();
    await signIn('admin', 'correct-horse-battery');
    await page.getByText('(system administrator)').waitFor();
  });

  test('configure the source: inline validation, test connection, save; the password is never shown back', async () => {
    await page.getByRole('link', { name: 'Directory source' }).click();
    await page.getByLabel('Servers').fill(`${slapd.ldapsUrl} `);
    await page.getByRole('checkbox', { name: 'Use StartTLS' }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('ldaps:// already encrypts').waitFor();
    assert.equal(await page.getByLabel('Servers').getAttribute('aria-invalid'), 'true');
    await page.getByText('The base DN is needed').waitFor();
    await page.getByRole('checkbox', { name: 'Use StartTLS' }).uncheck();
    await page.getByLabel('Bind DN').fill(SYNC_DN);
    await page.getByLabel('Bind password').fill(SYNC_PW);
    await page.getByLabel('CA file on the server').fill(slapd.caFile);
    await page.getByLabel('Base DN').fill(BASE_DN);
    await page.getByLabel('User filter').fill(TEST_FILTER);
    await page.getByLabel('Page size').fill('7');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('Connection works.').waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    await page.reload();
    await page.getByLabel('Base DN').waitFor();
    assert.equal(await page.getByLabel('Bind password').inputValue(), '');
    assert.doesNotMatch(await page.content(), new RegExp(SYNC_PW));
  });

  test('overview, preview, apply, watch the run, filter the outcomes', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByText('reachable', { exact: true }).waitFor();
    await page.screenshot({ path: `${DOCS}console-overview.png`, fullPage: true });

    await page.getByRole('link', { name: 'Preview or sync example.org' }).click();
    await page.getByRole('checkbox', { name: 'Import new users found in the directory' }).check();
    await page.getByLabel('Language for new users').fill('de_DE');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('table', { name: 'What this run would do' }).waitFor();
    const planText = await page.getByRole('table', { name: 'What this run would do' }).innerText();
    assert.match(planText, /juergen\.mueller@example\.org/);
    assert.match(planText, /new user Jürgen Müller/);
    assert.equal((await t.store.users.list({ domainId: 1, limit: 10, offset: 0 })).total, 0, 'a preview writes nothing');
    await page.screenshot({ path: `${DOCS}console-preview.png`, fullPage: true });

    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('completed', { exact: true }).first().waitFor({ timeout: 20_000 });
    await page.getByRole('heading', { name: 'Outcomes' }).waitFor();
    await page.getByText('34 of 34 outcomes').waitFor();
    await page.getByLabel('Filter by code').selectOption('201');
    await page.getByLabel('Search by name').fill('mueller');
    await page.getByText('1 of 34 outcomes').waitFor();
    assert.match(await page.getByRole('table', { name: 'Outcomes per user' }).innerText(), /juergen\.mueller@example\.org\s+201\s+User created/);
    await page.getByLabel('Search by name').fill('');
    await page.screenshot({ path: `${DOCS}console-outcomes.png`, fullPage: true });

    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByRole('table', { name: /Sync runs/ }).waitFor();
    assert.match(await page.getByRole('table', { name: /Sync runs/ }).innerText(), /completed/);
  });

  test('the users of a domain, with their avatars and the directory entry behind one', async () => {
    await page.goto(`${origin}/#/domain/1/users`);
    await page.getByLabel('Search').fill('wang');
    await page.getByText('1 of 1 users').waitFor();
    // The avatar from the directory photo, fetched with the session cookie: a real 48 × 48 image.
    const avatar = page.locator('img.avatar').first();
    await avatar.waitFor();
    await page.waitForFunction("document.querySelector('img.avatar')?.complete === true");
    assert.equal(await avatar.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), 48);
    await page.getByLabel('Search').fill('');
    await page.getByText(/^(\d{2,}) of \1 users$/).waitFor();
    await page.screenshot({ path: `${DOCS}console-users.png`, clip: { x: 0, y: 0, width: 1280, height: 620 } });
    await page.getByLabel('Search').fill('wang');
    await page.getByText('1 of 1 users').waitFor();
    await page.getByRole('button', { name: 'Entry of wang.fang@example.org' }).click();
    await page.getByText('dn: uid=wangfang').waitFor();
    await page.getByRole('button', { name: 'Close' }).click();
  });

  test('a domain admin sees only their domain, and the page fits 390 px', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('Signed out.').waitFor();
    await signIn('dom1', 'domain-one-password');
    await page.getByText('(domain administrator)').waitFor();
    const domains = await page.getByRole('table', { name: 'Domains you administer' }).innerText();
    assert.match(domains, /example\.org/);
    assert.doesNotMatch(domains, /other\.example/);
    assert.equal(await page.getByRole('link', { name: 'Directory source' }).isVisible(), false);
    await page.setViewportSize({ width: 390, height: 800 });
    await page.reload();
    await page.getByRole('table', { name: 'Domains you administer' }).waitFor();
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
    assert.ok(overflow <= 0, `no sideways scrolling of the page at 390 px (${overflow} px)`);
  });
});
