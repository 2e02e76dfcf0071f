// The app's same build served from another origin, as a team serving it from its own dev
// server would: its page names the API's address, the browser calls it across origins (CORS,
// a WebSocket from a foreign origin), and with tokens that last seconds the app refreshes its
// session on UNAUTHENTICATED and retries; a reload of the tab stays signed in.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { launch } from './browser.mjs';

const base = process.env.CONTACTFLOW_BASE_URL;
const tokenSeconds = Number(process.env.CONTACTFLOW_TOKEN_SECONDS);

let browser;
let devServer;
let origin;

before(async () => {
  // The build's files, as the API's /app serves them, now served by this origin.
  const html = await (await fetch(`${base}/app`)).text();
  const asset = (name) => html.match(new RegExp(`app/assets/[0-9a-f]+/${name}`))[0];
  const files = {
    '/app.js': ['text/javascript', await (await fetch(`${base}/${asset('app.js')}`)).text()],
    '/app.css': ['text/css', await (await fetch(`${base}/${asset('app.css')}`)).text()],
    '/': [
      'text/html',
      `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><link rel="stylesheet" href="/app.css"></head>
<body><div id="app"></div><script id="contactflow-config" type="application/json">${JSON.stringify({ endpoint: `${base}/graphql` })}</script>
<script type="module" src="/app.js"></script></body></html>`,
    ],
  };
  devServer = createServer((request, response) => {
    const [type, body] = files[new URL(request.url, 'http://x').pathname] ?? files['/'];
    response.writeHead(200, { 'content-type': `${type}; charset=utf-8` });
    response.end(body);
  });
  await new Promise((resolve) => devServer.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${devServer.address().port}`;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  devServer?.close();
});

test('the same build runs from another origin and renews its session', { timeout: 90_000 }, async () => {
  assert.notEqual(new URL(origin).port, new URL(base).port);
  const page = await browser.newPage();
  const problems = [];
  const requests = [];
  let refreshes = 0;
  page.on('request', (request) => {
    requests.push(request.url());
    if (request.postData()?.includes('"RefreshSession"')) refreshes += 1;
  });
  page.on('websocket', (socket) => requests.push(socket.url()));
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await page.goto(origin);
  await page.fill('input[name=login]', 'alice');
  await page.fill('input[name=password]', 'demo');
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-stage=QUALIFICATION] .card');

  // The token expires; the next query is refused, the session renewed, the query retried.
  await page.waitForTimeout((tokenSeconds + 1) * 1000);
  await page.click('a[href="#/todos"]');
  await page.waitForSelector('[data-testid=todos]');
  assert.ok(refreshes >= 1, 'the session was renewed');

  // A reload keeps the session (the refresh token in session storage).
  await page.reload();
  await page.waitForSelector('[data-testid=todos]');
  assert.match(await page.textContent('[data-testid=who]'), /Alice/);

  const outside = requests.filter(
    (url) => !url.startsWith(origin) && !url.startsWith(base) && !url.startsWith(base.replace('http', 'ws')),
  );
  assert.deepEqual(outside, []);
  assert.ok(requests.some((url) => url.startsWith(`${base}/graphql`)), 'the API was called across origins');
  assert.deepEqual(problems, []);
});
