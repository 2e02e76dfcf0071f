// The `reminders` subscription through the `graphql-ws` client package, as single-page apps use it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const wsUrl = process.env.CONTACTFLOW_WS_URL;
const httpUrl = process.env.CONTACTFLOW_HTTP_URL;
const token = process.env.CONTACTFLOW_TOKEN;
const callType = process.env.CONTACTFLOW_CALL_TYPE;

async function graphql(query, variables) {
  const response = await fetch(httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

function client(authorization) {
  return createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization }, retryAttempts: 0, lazy: true });
}

test('showing reminders arrive first, then a new one as it falls due', { timeout: 20000 }, async () => {
  const { activeReminders } = await graphql('{ activeReminders { id } }');
  const ws = client(`Bearer ${token}`);
  const events = [];
  let wake = () => {};
  const unsubscribe = ws.subscribe(
    { query: 'subscription { reminders { kind at reminder { id state assignee { login } pendingActivity { id } } } }' },
    { next: (value) => { events.push(value.data.reminders); wake(); }, error: (error) => { events.push({ error }); wake(); }, complete: () => {} },
  );
  const until = async (predicate, ms) => {
    const deadline = Date.now() + ms;
    while (!predicate() && Date.now() < deadline) {
      await new Promise((resolve) => { wake = resolve; setTimeout(resolve, 100); });
    }
    return predicate();
  };
  assert.ok(await until(() => events.length >= activeReminders.length, 3000), 'caught up');
  assert.deepEqual(new Set(events.map((e) => e.reminder.id)), new Set(activeReminders.map((r) => r.id)));
  assert.ok(events.every((e) => e.kind === 'DUE' && e.reminder.assignee.login === 'alice'));

  const starts = new Date(Date.now() + 1500);
  const ends = new Date(starts.getTime() + 3600_000);
  const saved = await graphql(
    'mutation($input: SaveContactInput!) { saveContact(input: $input) { pendingActivity { id } userErrors { code } } }',
    { input: { name: 'Node client Srl', pendingActivity: { activityTypeId: callType, reminderStartsAt: starts.toISOString(), reminderEndsAt: ends.toISOString() } } },
  );
  const pendingId = saved.saveContact.pendingActivity.id;
  const due = () => events.find((e) => e.reminder?.pendingActivity.id === pendingId);
  assert.ok(await until(due, 6000), 'the new reminder fell due');
  assert.equal(due().kind, 'DUE');
  assert.ok(Date.now() >= starts.getTime() - 50, 'not before its time');
  unsubscribe();
  await ws.dispose();
});

test('a forged token is refused with close code 4403', { timeout: 10000 }, async () => {
  const ws = client('Bearer forged');
  const outcome = await new Promise((resolve) => {
    ws.subscribe({ query: 'subscription { reminders { kind } }' }, { next: () => resolve('next'), error: (error) => resolve(error), complete: () => resolve('complete') });
  });
  assert.equal(outcome.code, 4403);
  await ws.dispose();
});
