// Apollo Client 4 with its normalised cache, as a single-page app uses it, over the example
// operations of examples/operations: reading a contact and moving it merges the move's answer
// into the cached contact, with no "Cache data may be lost" warning and no refetch. The same
// flow with documents that leave out the ids shows the warning: the check can fail. Apollo
// warns only in its development build, chosen with `node --conditions=development`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';

const url = process.env.CONTACTFLOW_HTTP_URL;
const token = process.env.CONTACTFLOW_TOKEN;
const operations = process.env.CONTACTFLOW_OPERATIONS_DIR;
const startStage = process.env.CONTACTFLOW_START_STAGE;
const nextStage = process.env.CONTACTFLOW_NEXT_STAGE;

const operation = (name) => gql(readFileSync(join(operations, `${name}.graphql`), 'utf8'));

// A client whose requests are counted in `sent`.
function client(sent = { count: 0 }) {
  const counting = (input, init) => {
    sent.count += 1;
    return fetch(input, init);
  };
  return new ApolloClient({
    link: new HttpLink({ uri: url, headers: { authorization: `Bearer ${token}` }, fetch: counting }),
    cache: new InMemoryCache(),
  });
}

// Runs `body` and returns what Apollo warned about meanwhile.
async function warningsOf(body) {
  const warnings = [];
  const original = { warn: console.warn, error: console.error };
  console.warn = (...args) => warnings.push(args.map(String).join(' '));
  console.error = (...args) => warnings.push(args.map(String).join(' '));
  try {
    await body();
  } finally {
    Object.assign(console, original);
  }
  return warnings;
}

// A contact of the first stage, not yet moved by another test.
async function contactToMove(apollo) {
  const { data } = await apollo.query({
    query: operation('ContactsByStage'),
    variables: { stageIds: [startStage], first: 50 },
    fetchPolicy: 'network-only',
  });
  const edges = data.contacts.edges;
  assert.ok(edges.length >= 2, 'the demo has contacts in its first stage');
  return edges;
}

test('a move merges into the cached contact detail without warnings or refetching', async () => {
  assert.match(process.env.NODE_OPTIONS ?? '', /--conditions=development/, "Apollo's warnings need its development build");
  const sent = { count: 0 };
  const apollo = client(sent);
  const [{ node: contact }] = await contactToMove(apollo);
  const warnings = await warningsOf(async () => {
    const detail = await apollo.query({ query: operation('ContactDetail'), variables: { id: contact.id } });
    assert.equal(detail.data.contact.stage.id, startStage);
    const moved = await apollo.mutate({
      mutation: operation('MoveContactToStage'),
      variables: { input: { contactId: contact.id, toStageId: nextStage, expectedVersion: contact.version } },
    });
    assert.deepEqual(moved.data.moveContactToStage.userErrors, []);
    const cached = apollo.readQuery({ query: operation('ContactDetail'), variables: { id: contact.id } });
    assert.equal(cached.contact.stage.id, nextStage, 'the cached detail shows the new stage');
    assert.equal(cached.contact.version, contact.version + 1);
    // The screen reads the contact again: answered from the cache, no request goes out.
    const before = sent.count;
    const again = await apollo.query({ query: operation('ContactDetail'), variables: { id: contact.id } });
    assert.equal(again.data.contact.stage.id, nextStage);
    assert.equal(sent.count, before, 'no refetch');
  });
  assert.deepEqual(
    warnings.filter((w) => /Cache data may be lost|Missing field/.test(w)),
    [],
    warnings.join('\n'),
  );
});

test('without ids, the same flow loses cache data and Apollo says so', async () => {
  const apollo = client();
  const edges = await contactToMove(apollo);
  const { node: contact } = edges[edges.length - 1];
  const warnings = await warningsOf(async () => {
    await apollo.query({
      query: gql`query Bare($id: ID!) { contact(id: $id) { id stage { code name } } }`,
      variables: { id: contact.id },
    });
    await apollo.mutate({
      mutation: gql`mutation BareMove($input: MoveContactToStageInput!) {
        moveContactToStage(input: $input) { contact { id stage { code } } userErrors { code } } }`,
      variables: { input: { contactId: contact.id, toStageId: nextStage, expectedVersion: contact.version } },
    });
  });
  assert.ok(
    warnings.some((w) => /Cache data may be lost/.test(w)),
    `Apollo warned: ${warnings.join('\n')}`,
  );
});
