// A single-page app on its own origin, in headless Chromium: the test serves one page on two
// ports of 127.0.0.1, of which the server's CONTACTFLOW_ALLOWED_ORIGINS lists only the first.
// From the listed origin the page's fetch with a bearer token (a preflighted request) reads the
// answer and the request id the server exposes, and its WebSocket signs in; from the other
// origin the browser blocks the fetch and the server refuses the socket.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { launch } from './browser.mjs';

const api = process.env.CONTACTFLOW_HTTP_URL;
const wsUrl = process.env.CONTACTFLOW_WS_URL;
const token = process.env.CONTACTFLOW_TOKEN;
const listedPort = Number(process.env.CONTACTFLOW_LISTED_PORT);
const otherPort = Number(process.env.CONTACTFLOW_OTHER_PORT);

const page = `<!doctype html><meta charset="utf-8"><title>app</title><p>app</p>`;
const servers = [];
let browser;

function serve(port) {
  return new Promise((resolve, reject) => {
    const server = createServer((_, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(page);
    });
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

before(async () => {
  servers.push(await serve(listedPort), await serve(otherPort));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  for (const server of servers) server.close();
});

// What the app's code does: a POST with a bearer token, then a socket that signs in.
async function callFrom(port) {
  const tab = await browser.newPage();
  await tab.goto(`http://127.0.0.1:${port}/`);
  const result = await tab.evaluate(
    async ({ api, wsUrl, token }) => {
      const outcome = {};
      try {
        const response = await fetch(api, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
            'x-request-id': 'spa-request-1',
          },
          body: JSON.stringify({ query: '{ me { login } contacts(first: 3) { totalCount } }' }),
        });
        outcome.status = response.status;
        outcome.requestId = response.headers.get('x-request-id');
        outcome.body = await response.json();
      } catch (error) {
        outcome.fetchError = String(error);
      }
      outcome.socket = await new Promise((resolve) => {
        const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
        const timer = setTimeout(() => resolve('no answer'), 5000);
        socket.onopen = () =>
          socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
        socket.onmessage = (event) => {
          clearTimeout(timer);
          resolve(JSON.parse(event.data).type);
          socket.close();
        };
        socket.onerror = () => {
          clearTimeout(timer);
          resolve('refused');
        };
      });
      return outcome;
    },
    { api, wsUrl, token },
  );
  await tab.close();
  return result;
}

test('a page on the listed origin reads the answer and opens a socket', async () => {
  const outcome = await callFrom(listedPort);
  assert.equal(outcome.fetchError, undefined);
  assert.equal(outcome.status, 200);
  assert.equal(outcome.requestId, 'spa-request-1', 'x-request-id is exposed');
  assert.equal(outcome.body.data.me.login, 'maria');
  assert.ok(outcome.body.data.contacts.totalCount > 0);
  assert.equal(outcome.socket, 'connection_ack');
});

test('a page on another origin is blocked by the browser', async () => {
  const outcome = await callFrom(otherPort);
  assert.match(outcome.fetchError ?? '', /Failed to fetch/);
  assert.equal(outcome.body, undefined);
  assert.equal(outcome.socket, 'refused');
});
