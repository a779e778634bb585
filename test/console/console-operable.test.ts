/**
 * The console as a first-time administrator meets it, in Debian's chromium against a real
 * server and slapd: no "session ended" and no navigation before the first sign-in, the dark
 * preference followed, names instead of IDs, a finished task's counts in step, IDs shown as
 * UUIDs, users paged with a status filter, the source form's added fields and checks, German.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSlapd, SYNC_PW, type Slapd } from '../support/slapd.ts';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { startApi, type Session, type TestApi } from '../support/api.ts';
import { sourceConfig } from '../support/source.ts';
import { bulkPeople, namedPeople } from '../fixtures/people.ts';

const CHROMIUM = '/usr/bin/chromium';
const unavailable = existsSync(CHROMIUM) ? false : 'Debian chromium is not installed (apt-get install chromium; .ci/run does)';
const USERS = 230;

describe('the console for a first-time administrator', { skip: unavailable }, () => {
  let slapd: Slapd;
  let t: TestStore;
  let api: TestApi;
  let admin: Session;
  let browser: Browser;
  let page: Page;
  let origin: string;
  let taskId: number;

  const signIn = async (p: Page) => {
    await p.getByLabel('User name').fill('admin');
    await p.getByLabel('Password').fill('correct-horse-battery');
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByText('Signed in as admin').waitFor();
  };

  before(async () => {
    slapd = await startSlapd({ entries: [...namedPeople, ...bulkPeople(USERS)] });
    t = await storeVariants()[0]!.open();
    await t.store.domains.create({ name: 'example.org' });
    await t.store.sources.set(0, sourceConfig(slapd, { pageSize: 50 }));
    api = await startApi(t);
    admin = await api.login('admin', 'correct-horse-battery');
    const queued = await api.call('POST', '/domains/1/ldap/downsync?import=true&timeout=0', { session: admin });
    taskId = queued.body.taskID;
    await api.ctx.queue.wait(taskId, 60_000);
    origin = api.url.replace(/\/api\/v1$/, '');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  });
  after(async () => { await browser?.close(); await api?.close(); await slapd?.destroy(); await t?.cleanup(); });

  test('a first visit shows the sign-in form only: no "session ended", no navigation', async () => {
    await page.goto(`${origin}/`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.equal(await page.getByText('Your session ended').count(), 0);
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).isVisible(), false);
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).isVisible(), false);
    await signIn(page);
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).isVisible(), true);
  });

  test("the system's dark preference is followed", async () => {
    const dark = await browser.newPage({ colorScheme: 'dark' });
    try {
      await dark.goto(`${origin}/`);
      await dark.getByRole('button', { name: 'Sign in' }).waitFor();
      assert.equal(await dark.evaluate('getComputedStyle(document.body).backgroundColor'), 'rgb(13, 17, 23)');
      assert.equal(await page.evaluate('getComputedStyle(document.body).backgroundColor'), 'rgb(255, 255, 255)', 'light stays light');
    } finally { await dark.close(); }
  });

  test('German for a German browser, English otherwise', async () => {
    const de = await browser.newPage({ locale: 'de-DE' });
    try {
      await de.goto(`${origin}/`);
      await de.getByRole('button', { name: 'Anmelden' }).waitFor();
      assert.equal(await de.evaluate('document.documentElement.lang'), 'de');
      await de.getByLabel('Benutzername').fill('admin');
      await de.getByLabel('Passwort').fill('correct-horse-battery');
      await de.getByRole('button', { name: 'Anmelden' }).click();
      await de.getByText('Angemeldet als admin').waitFor();
      await de.getByRole('heading', { name: 'Verzeichnisquellen' }).waitFor();
      await de.getByRole('link', { name: 'Aufgaben' }).click();
      await de.getByRole('table', { name: 'Synchronisationsläufe, wartende zuerst' }).waitFor();
      assert.match(await de.locator('main').innerText(), /abgeschlossen/);
    } finally { await de.close(); }
    assert.equal(await page.evaluate('document.documentElement.lang'), 'en');
  });

  test('tasks show domain names, and a finished task its final count of entries read', async () => {
    await page.goto(`${origin}/#/tasks`);
    const list = await page.getByRole('table', { name: /Sync runs/ }).innerText();
    assert.match(list, /example\.org/);
    assert.doesNotMatch(list, /domain 1\b|null/);
    await page.goto(`${origin}/#/task/${taskId}`);
    await page.getByRole('heading', { name: 'Outcomes' }).waitFor();
    const read = Number(/(\d+) entries read/.exec(await page.locator('main').innerText())![1]);
    const task = (await t.store.tasks.get(taskId))!;
    assert.equal(read, task.progress);
    const runs = await Promise.all((await t.store.runs.idsForTask(taskId)).map((id) => t.store.runs.get(id)));
    assert.equal(read, runs.reduce((n, r) => n + r!.entriesSeen, 0), 'every entry read is counted, not the count of a second before the end');
    assert.doesNotMatch(await page.locator('main').innerText(), /nullnull|Cancel null|undefined/);
  });

  test('users page through the whole domain, with a status filter; the entry shows its UUID', async () => {
    const total = (await t.store.users.list({ domainId: 1, limit: 1, offset: 0 })).total;
    assert.ok(total > 200);
    await page.goto(`${origin}/#/domain/1/users`);
    await page.getByText(`1–200 of ${total} users`).waitFor();
    await page.getByRole('button', { name: 'Next users' }).click();
    await page.getByText(`201–${total} of ${total} users`).waitFor();
    await page.getByLabel('Status').selectOption('1');
    await page.getByText('Nothing to show.').waitFor();
    await page.getByLabel('Status').selectOption('0');
    await page.getByText(`1–200 of ${total} users`).waitFor();
    await page.getByLabel('Search').fill('wang');
    await page.getByText('1 of 1 users').waitFor();
    await page.getByRole('button', { name: 'Entry of wang.fang@example.org' }).click();
    const entry = await page.locator('dialog pre').innerText();
    assert.match(entry, /^entryUUID: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/mi);
    assert.doesNotMatch(entry, /entryUUID::/i);
    await page.getByRole('button', { name: 'Close' }).click();
  });

  test('the source form: more fields, whole numbers checked, no stale "Connection works"', async () => {
    await page.goto(`${origin}/#/source`);
    await page.getByLabel('Base DN').waitFor();
    for (const label of ['Schedule', 'Connect timeout (seconds)', 'Operation timeout (seconds)', 'Attribute mapping']) await page.getByLabel(label).waitFor();
    await page.getByRole('checkbox', { name: /Deactivate users who left/ }).waitFor();
    await page.getByRole('checkbox', { name: /Verify the server certificate/ }).waitFor();
    await page.getByLabel('Page size').fill('-5');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('The page size is a whole number from 1 to 10000.').waitFor();
    await page.getByLabel('Page size').fill('50');
    await page.getByLabel('Bind password').fill(SYNC_PW);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('Connection works.').waitFor();
    await page.getByLabel('Base DN').fill('ou=nowhere,dc=example,dc=org');
    assert.equal(await page.getByText('Connection works.').count(), 0, 'the old answer goes as the form changes');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText(/Connection failed: .*does not exist/).waitFor();
    assert.ok(await page.getByLabel('Source').isVisible(), 'organization sources can be chosen');
  });

  test("the source form's directory types are the server's, each with its default user filter", async () => {
    await page.goto(`${origin}/#/source`);
    await page.reload();
    const select = page.locator('select[name=vendor]');
    await select.waitFor();
    const options = await select.locator('option').evaluateAll((all) => all.map((o) => { const option = o as unknown as { value: string; textContent: string }; return [option.value, option.textContent]; }));
    const { body } = await api.call('GET', '/ldapsync/vendors', { session: admin });
    assert.deepEqual(options, body.data.map((v: { vendor: string; label: string }) => [v.vendor, v.label]));
    assert.equal(await select.inputValue(), 'openldap', 'the stored source is OpenLDAP');
    const filter = page.getByLabel('User filter');
    assert.equal(await filter.getAttribute('placeholder'), body.data.find((v: { vendor: string }) => v.vendor === 'openldap').users.filter);
    await select.selectOption('activedirectory');
    assert.equal(await filter.getAttribute('placeholder'), '(&(objectCategory=person)(objectClass=user))');
  });
});
