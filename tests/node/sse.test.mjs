// Both subscriptions over GraphQL over Server-Sent Events, through the `graphql-sse` client
// package in distinct connections mode, as a client behind a proxy that breaks WebSockets would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'graphql-sse';

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
  const headers = authorization ? { authorization } : {};
  return createClient({ url: httpUrl, headers, retryAttempts: 0, singleConnection: false });
}

// Collects what a subscription pushes; `until` waits for a condition on it.
function collect(sse, query, variables) {
  const pushed = [];
  let ended = null;
  let wake = () => {};
  const dispose = sse.subscribe(
    { query, variables },
    {
      next: (value) => { pushed.push(value); wake(); },
      error: (error) => { ended = { error }; wake(); },
      complete: () => { ended = ended ?? { complete: true }; wake(); },
    },
  );
  const until = async (predicate, ms) => {
    const deadline = Date.now() + ms;
    while (!predicate() && Date.now() < deadline) {
      await new Promise((resolve) => { wake = resolve; setTimeout(resolve, 50); });
    }
    return predicate();
  };
  return { pushed, ended: () => ended, until, dispose };
}

const EVENTS = 'subscription($after: String) { contactEvents(after: $after) { cursor kind contact { name } operator { login } } }';

async function tunedIn() {
  const metrics = await (await fetch(`${process.env.CONTACTFLOW_BASE_URL}/metrics`)).text();
  const line = metrics.split('\n').find((l) => l.startsWith('contactflow_contact_event_subscribers '));
  return Number(line.split(' ')[1]);
}

test('contact events arrive over SSE, and resume after a cursor', { timeout: 30000 }, async () => {
  const sse = client(`Bearer ${token}`);
  const before = await tunedIn();
  const live = collect(sse, EVENTS, {});
  const deadline = Date.now() + 10000;
  while ((await tunedIn()) <= before && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  for (const name of ['SSE Uno', 'SSE Due', 'SSE Tre']) {
    await graphql('mutation($input: SaveContactInput!) { saveContact(input: $input) { userErrors { code } } }', { input: { name } });
  }
  assert.ok(await live.until(() => live.pushed.length >= 3, 8000), `three events: ${JSON.stringify(live.pushed)}`);
  const events = live.pushed.map((p) => p.data.contactEvents);
  assert.deepEqual(events.map((e) => e.contact.name), ['SSE Uno', 'SSE Due', 'SSE Tre']);
  assert.ok(events.every((e) => e.kind === 'CREATED' && e.operator.login === 'alice'));
  live.dispose();

  const resumed = collect(sse, EVENTS, { after: events[0].cursor });
  assert.ok(await resumed.until(() => resumed.pushed.length >= 2, 8000), 'replayed');
  assert.deepEqual(resumed.pushed.map((p) => p.data.contactEvents.cursor), events.slice(1).map((e) => e.cursor));
  resumed.dispose();
  await sse.dispose();
});

test('a bad cursor is a BAD_USER_INPUT error and the stream completes', { timeout: 15000 }, async () => {
  const sse = client(`Bearer ${token}`);
  const refused = collect(sse, EVENTS, { after: 'not-a-cursor' });
  assert.ok(await refused.until(() => refused.ended() !== null, 8000), 'ended');
  const errors = refused.pushed[0]?.errors ?? refused.ended().error;
  assert.equal(errors[0].extensions.code, 'BAD_USER_INPUT', JSON.stringify(errors));
  await sse.dispose();
});

test('without a token the subscription is refused with UNAUTHENTICATED', { timeout: 15000 }, async () => {
  const sse = client(null);
  const refused = collect(sse, EVENTS, {});
  assert.ok(await refused.until(() => refused.ended() !== null, 8000), 'ended');
  const errors = refused.pushed[0]?.errors ?? refused.ended().error;
  assert.equal(errors[0].extensions.code, 'UNAUTHENTICATED', JSON.stringify(errors));
  await sse.dispose();
});

test('reminders arrive over SSE as they fall due', { timeout: 20000 }, async () => {
  const sse = client(`Bearer ${token}`);
  const reminders = collect(sse, 'subscription { reminders { kind reminder { pendingActivity { id } } } }', {});
  await new Promise((resolve) => setTimeout(resolve, 500));
  const starts = new Date(Date.now() + 1500);
  const ends = new Date(starts.getTime() + 3600_000);
  const saved = await graphql(
    'mutation($input: SaveContactInput!) { saveContact(input: $input) { pendingActivity { id } userErrors { code } } }',
    { input: { name: 'SSE reminder Srl', pendingActivity: { activityTypeId: callType, reminderStartsAt: starts.toISOString(), reminderEndsAt: ends.toISOString() } } },
  );
  const pendingId = saved.saveContact.pendingActivity.id;
  const due = () => reminders.pushed.find((p) => p.data?.reminders.reminder.pendingActivity.id === pendingId);
  assert.ok(await reminders.until(due, 8000), 'the reminder fell due');
  assert.equal(due().data.reminders.kind, 'DUE');
  assert.ok(Date.now() >= starts.getTime() - 50, 'not before its time');
  reminders.dispose();
  await sse.dispose();
});
