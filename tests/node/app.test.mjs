// The reference app (/app) in headless Chromium, as a person uses it: alice signs in, opens a
// contact in QUALIFICATION from the board, sees why it cannot move to PROSPECT (the mandatory
// discovery call), records the call with a pending e-mail (deadline, a reminder window that
// starts in a few seconds, "Crea attività"), saves, moves the contact, finds the new row in the
// Log with her name and the time, sees the reminder pop up on its own, dismisses it, and finds
// the to-do on her list; meanwhile maria's board, in a second browser context, shows the move
// without a reload. The server runs with only persisted documents: every operation the app
// sends is one of its manifest. Every request goes to the server under test; screenshots of each
// step are kept.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launch } from './browser.mjs';

const base = process.env.CONTACTFLOW_BASE_URL;
const screenshots = process.env.CONTACTFLOW_SCREENSHOT_DIR;
const contactName = process.env.CONTACTFLOW_CONTACT_NAME;
const discoveryCall = process.env.CONTACTFLOW_DISCOVERY_CALL;
const email = process.env.CONTACTFLOW_EMAIL;

let browser;
const problems = [];
const requests = [];
const bodies = [];

/** A page in a context of its own (its own session storage), watched for problems. */
async function openPage() {
  const context = await browser.newContext({ viewport: { width: 1500, height: 950 }, timezoneId: 'UTC', locale: 'en-GB' });
  const page = await context.newPage();
  page.on('request', (request) => {
    requests.push(request.url());
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/graphql') {
      bodies.push(JSON.parse(request.postData() ?? 'null'));
    }
  });
  page.on('websocket', (socket) => {
    requests.push(socket.url());
    socket.on('framesent', (frame) => {
      const message = JSON.parse(frame.payload);
      if (message.type === 'subscribe') bodies.push(message.payload);
    });
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  return page;
}

async function signIn(page, login) {
  await page.goto(`${base}/app`);
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'demo');
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=who]');
  await page.waitForSelector('[data-stage=QUALIFICATION] .card');
}

const shot = (page, name) => page.screenshot({ path: join(screenshots, name), fullPage: true });

/** A `datetime-local` value (the context's time zone is UTC) `ms` from now. */
const local = (ms) => new Date(Date.now() + ms).toISOString().slice(0, 19);

before(async () => {
  mkdirSync(screenshots, { recursive: true });
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

test('alice records the mandatory call, moves the contact, and maria sees it move', { timeout: 120_000 }, async () => {
  const maria = await openPage();
  await signIn(maria, 'maria');
  const alice = await openPage();
  await signIn(alice, 'alice');
  const who = (await alice.textContent('[data-testid=who]')).trim();
  await shot(alice, '1-board.png');

  // The contact, opened from its column of the board.
  const card = alice.locator(`[data-stage=QUALIFICATION] [data-contact="${contactName}"] a`);
  await card.click();
  await alice.waitForSelector('[data-testid=stage]');
  assert.match(await alice.textContent('h2'), new RegExp(contactName));

  // Why it cannot move yet: shown before the move, and the move's own answer after.
  const blocked = await alice.textContent('[data-testid=blocked-PROSPECT]');
  assert.match(blocked, /mandatory activity/);
  await alice.click('[data-testid=move-PROSPECT]');
  await alice.waitForSelector('[data-testid=mask-notice].error');
  assert.match(await alice.textContent('[data-testid=mask-notice]'), /mandatory activity/);
  await shot(alice, '2-blocked.png');

  // The call, with the pending e-mail and its reminder: date and operator are the server's.
  await alice.selectOption('select[name=activityType]', discoveryCall);
  await alice.fill('input[name=activityDescription]', 'Discovery call: interested in the offer');
  await alice.selectOption('select[name=pendingType]', email);
  await alice.fill('input[name=pendingDescription]', 'Send the offer');
  await alice.fill('input[name=deadline]', local(2 * 24 * 3600_000));
  await alice.fill('input[name=reminderStarts]', local(6_000));
  await alice.fill('input[name=reminderEnds]', local(3600_000));
  await alice.check('input[name=createTodo]');
  await shot(alice, '3-record.png');
  await alice.click('form.record button[type=submit]');
  await alice.waitForSelector('[data-testid=save-outcome].notice');
  const activities = await alice.textContent('[data-testid=activities]');
  assert.match(activities, /interested in the offer/);
  assert.match(activities, new RegExp(who));
  const pending = await alice.textContent('[data-testid=pending]');
  assert.match(pending, /Send the offer/);
  assert.match(pending, /yes/);

  // Now the move succeeds, and the Log shows it first, with alice and the time.
  await alice.waitForSelector('[data-testid=move-PROSPECT]');
  assert.equal(await alice.locator('[data-testid=blocked-PROSPECT]').count(), 0);
  const movedAt = new Date();
  await alice.click('[data-testid=move-PROSPECT]');
  await alice.waitForSelector('[data-testid=mask-notice].notice');
  await alice.click('[role=tab]:has-text("Log")');
  await alice.waitForSelector('[data-testid=log] tbody tr');
  const newest = await alice.locator('[data-testid=log] tbody tr').first().locator('td').allTextContents();
  assert.match(newest[0], /Qualification/i);
  assert.match(newest[1], /Prospect/i);
  assert.equal(newest[2], who);
  const hour = String(movedAt.getUTCHours()).padStart(2, '0');
  assert.match(newest[3], new RegExp(`${hour}:\\d\\d`), `the time of the move, ${newest[3]}`);
  await shot(alice, '4-log.png');

  // maria's board moved on its own.
  await maria.waitForSelector(`[data-stage=PROSPECT] [data-contact="${contactName}"]`, { timeout: 15_000 });
  // The card leaves its old column in a render of its own: wait for it, then check.
  await maria.waitForSelector(`[data-stage=QUALIFICATION] [data-contact="${contactName}"]`, { state: 'detached', timeout: 15_000 });
  assert.equal(await maria.locator(`[data-stage=QUALIFICATION] [data-contact="${contactName}"]`).count(), 0);
  await shot(maria, '5-maria-board.png');

  // A card dragged where no transition leads is refused before anything is sent.
  const dragged = maria.locator('[data-stage=QUALIFICATION] .card').first();
  await dragged.dragTo(maria.locator('[data-stage=CUSTOMER]'));
  await maria.waitForSelector('[data-testid=board-notice].error');
  assert.match(await maria.textContent('[data-testid=board-notice]'), /no transition/);

  // The reminder pops up on its own when its window starts (beside the demo's, showing since
  // sign-in); dismissing it takes it away.
  const reminder = alice.locator(`[data-testid=reminder-popup] .reminder:has-text("${contactName}")`);
  await reminder.waitFor({ timeout: 30_000 });
  await shot(alice, '6-reminder.png');
  await reminder.locator('button:has-text("Dismiss")').click();
  await reminder.waitFor({ state: 'detached' });

  // The to-do "Crea attività" made is on alice's list.
  await alice.click('a[href="#/todos"]');
  await alice.waitForSelector('[data-testid=todos] li');
  assert.match(await alice.textContent('[data-testid=todos]'), new RegExp(contactName));
  await shot(alice, '7-todos.png');

  // Italian, switched in the header.
  await alice.selectOption('header select', 'it');
  await alice.waitForSelector('a[href="#/todos"]:has-text("Le mie attività da fare")');

  // Nothing went anywhere but this server; every operation went by its hash alone.
  const outside = requests.filter((url) => !url.startsWith(base) && !url.startsWith(base.replace('http', 'ws')));
  assert.deepEqual(outside, []);
  assert.ok(bodies.length > 10);
  for (const body of bodies) {
    assert.ok(!body.query, `sent as text: ${JSON.stringify(body).slice(0, 200)}`);
    assert.match(body.extensions?.persistedQuery?.sha256Hash ?? '', /^[0-9a-f]{64}$/);
  }
  assert.deepEqual(problems, []);
});
