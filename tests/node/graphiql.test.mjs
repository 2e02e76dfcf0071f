// GraphiQL in headless Chromium, as a new user meets it, in the order of the README's
// walkthrough: a browser opening /graphql lands on GraphiQL, signs in with the panel, runs the
// example query of the first tab (with the variables it shows), the save of the second, and the
// reminders subscription of the third, which shows a reminder the moment it falls due and the
// save's own a minute after the page opened. Stop and a tab switch end the subscription on the
// server. Every request the page makes must go to the server under test; screenshots are kept
// for the CI artifacts.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launch } from './browser.mjs';

const base = process.env.CONTACTFLOW_BASE_URL;
const screenshots = process.env.CONTACTFLOW_SCREENSHOT_DIR;

let browser;
let page;
let openedAt;
const requests = [];
const problems = [];
// What the page sent: GraphQL request bodies over HTTP, messages over its sockets.
const sent = [];
const framesSent = [];

before(async () => {
  mkdirSync(screenshots, { recursive: true });
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('request', (request) => {
    requests.push(request.url());
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/graphql') {
      sent.push(JSON.parse(request.postData() ?? 'null'));
    }
  });
  page.on('websocket', (socket) => {
    requests.push(socket.url());
    socket.on('framesent', (frame) => framesSent.push(JSON.parse(frame.payload)));
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()} ${response.request().postData()?.slice(0, 300)}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
});

after(async () => {
  await browser?.close();
});

// Monaco renders its text lazily and with non-breaking spaces: poll a pane until it matches.
async function waitForText(selector, pattern, timeout = 20_000) {
  const deadline = Date.now() + timeout;
  let text = '';
  while (Date.now() < deadline) {
    text = (await page.locator(selector).innerText()).replace(/\u00a0/g, ' ');
    if (pattern.test(text)) return text;
    await page.waitForTimeout(100);
  }
  throw new Error(`${selector} never matched ${pattern}; it shows:\n${text}`);
}

const waitForResponse = (pattern, timeout) => waitForText('.graphiql-response', pattern, timeout);

// The server's gauge of subscriptions running now.
async function activeSubscriptions() {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('contactflow_subscriptions_active'));
  return Number(line?.split(/\s+/)[1] ?? NaN);
}

async function waitForSubscriptions(count, timeout = 5_000) {
  const deadline = Date.now() + timeout;
  let now;
  while (Date.now() < deadline) {
    now = await activeSubscriptions();
    if (now === count) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`contactflow_subscriptions_active stayed ${now}, not ${count}`);
}

const config = () =>
  page.evaluate(() => JSON.parse(document.getElementById('contactflow-config').textContent));

async function graphql(query, variables, token) {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

test('a browser opening /graphql is sent to GraphiQL, which loads its schema', async () => {
  openedAt = Date.now();
  await page.goto(`${base}/graphql`);
  assert.equal(new URL(page.url()).pathname, '/graphiql');
  await page.locator('input[name="login"]').waitFor({ timeout: 20_000 });
  // The first example tab is the contacts-by-stage query of the README.
  await page.locator('.graphiql-tab', { hasText: 'ContactsByStage' }).waitFor();
});

test('signing in puts a bearer token in the header editor', async () => {
  await page.fill('input[name="login"]', 'maria');
  await page.fill('input[name="password"]', 'wrong');
  await page.click('button[type="submit"]');
  const error = page.locator('.cf-sign-in [role="alert"]');
  await error.waitFor();
  assert.match(await error.innerText(), /login or password/i);

  await page.fill('input[name="password"]', 'demo');
  await page.click('button[type="submit"]');
  const signedIn = page.locator('[data-testid="signed-in"]');
  await signedIn.waitFor();
  assert.match(await signedIn.innerText(), /Maria .*MANAGER/);
  // The example's variables show first; the token is in the neighbouring header editor.
  await page.locator('.graphiql-editor-tools button', { hasText: 'Headers' }).click();
  await waitForText('.graphiql-editor-tool', /"Authorization": "Bearer [\w-]+\.[\w-]+\.[\w-]+"/);
});

test('the example query runs with the variables its tab shows and lists demo contacts', async () => {
  await page.locator('.graphiql-editor-tools button', { hasText: 'Variables' }).click();
  await waitForText('.graphiql-editor-tool', /"stageIds"/);
  await page.click('.graphiql-execute-button');
  const text = await waitForResponse(/"totalCount": \d+/);
  const count = Number(/"totalCount": (\d+)/.exec(text)[1]);
  assert.ok(count > 0, `the demo data has contacts in the example's stages:\n${text}`);
  assert.doesNotMatch(text, /"errors"/);
  const request = sent.find((body) => body?.query?.includes('query ContactsByStage'));
  assert.ok(request, 'the query went over HTTP');
  assert.deepEqual(request.variables, (await config()).examples.contactsByStage, 'the variables sent');
  await page.screenshot({ path: join(screenshots, 'graphiql-query.png') });
});

test('the save example of the second tab runs as it stands', async () => {
  await page.locator('.graphiql-tab', { hasText: 'SaveContactWithPending' }).click();
  await page.locator('.graphiql-query-editor', { hasText: 'mutation SaveContactWithPending' }).waitFor();
  await page.click('.graphiql-execute-button');
  // The editor renders only the lines in view: the saved contact comes first.
  const text = await waitForResponse(/"name": "Ada Lovelace"/);
  assert.doesNotMatch(text, /"errors"|"code": "[A-Z_]+",\s*"message"/);
  const request = sent.find((body) => body?.query?.includes('mutation SaveContactWithPending'));
  assert.equal(request.variables.input.name, 'Ada Lovelace', 'the tab sent its variables');
});

test('the reminders subscription shows a reminder the moment it falls due', async () => {
  await page.locator('.graphiql-tab', { hasText: 'Reminders' }).click();
  await page.locator('.graphiql-query-editor', { hasText: 'subscription Reminders' }).waitFor();
  // Run at once: GraphiQL may still hold the previous tab's operation name, which the
  // fetcher must not send with this tab's document.
  await page.click('.graphiql-execute-button');
  // The subscription is open once the socket is acknowledged; give it a moment, then schedule
  // a reminder for Maria that falls due two seconds from now.
  await page.waitForTimeout(500);
  const { login } = await graphql(
    'mutation($i: LoginInput!) { login(input: $i) { token } }',
    { i: { login: 'maria', password: 'demo' } },
  );
  const { activityTypes } = await graphql(
    '{ workflows { stages { id isInitial } } activityTypes { id code } }',
    {},
    login.token,
  ).then(async (data) => {
    const initial = data.workflows[0].stages.find((s) => s.isInitial).id;
    return graphql('query($s: ID) { activityTypes(stageId: $s) { id code } }', { s: initial }, login.token);
  });
  const name = `Browser test ${Date.now()}`;
  const startsAt = new Date(Date.now() + 2_000);
  const endsAt = new Date(Date.now() + 3_600_000);
  const saved = await graphql(
    `mutation($input: SaveContactInput!) { saveContact(input: $input) { contact { id } userErrors { code } } }`,
    {
      input: {
        name,
        pendingActivity: {
          activityTypeId: activityTypes[0].id,
          description: 'Call back from the browser test',
          reminderStartsAt: startsAt.toISOString(),
          reminderEndsAt: endsAt.toISOString(),
        },
      },
    },
    login.token,
  );
  assert.deepEqual(saved.saveContact.userErrors, []);
  const text = await waitForResponse(new RegExp(`"name": "${name}"`));
  assert.match(text, /"kind": "DUE"/);
  await page.screenshot({ path: join(screenshots, 'graphiql-subscription.png') });
});

test("the walkthrough's save shows its reminder a minute after the page opened", async () => {
  // The tab keeps running; the save of the second tab set its reminder to start a minute after
  // the page was opened.
  const left = Math.max(0, openedAt + 60_000 - Date.now());
  await waitForResponse(/"name": "Ada Lovelace"/, left + 15_000);
  assert.equal(await activeSubscriptions(), 1);
});

test('Stop ends the subscription on the server', async () => {
  await page.click('.graphiql-execute-button');
  await waitForSubscriptions(0);
  assert.ok(
    framesSent.some((message) => message.type === 'complete'),
    `the socket sent complete: ${JSON.stringify(framesSent)}`,
  );
});

test('switching tabs ends a running subscription too', async () => {
  await page.click('.graphiql-execute-button');
  await waitForSubscriptions(1);
  await page.locator('.graphiql-tab', { hasText: 'ContactsByStage' }).click();
  await waitForSubscriptions(0);
});

test('the page made no request beyond the server under test and logged no error', () => {
  const origin = new URL(base);
  const foreign = requests.filter((url) => {
    const parsed = new URL(url);
    if (parsed.protocol === 'data:' || parsed.protocol === 'blob:') return false;
    return parsed.host !== origin.host;
  });
  assert.deepEqual(foreign, [], 'every request stays on the server under test');
  assert.ok(requests.some((url) => url.startsWith('ws')), 'the subscription used a WebSocket');
  assert.deepEqual(problems, []);
});
