// The graphql-http audit suite against a running contactflow: every MUST and SHOULD audit of
// the GraphQL-over-HTTP spec must pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditServer } from 'graphql-http';

const url = process.env.CONTACTFLOW_HTTP_URL;

test('every MUST and SHOULD audit of graphql-http passes', { skip: !url }, async () => {
  const results = await auditServer({ url });
  const counts = {};
  for (const result of results) {
    const level = result.name.split(' ')[0];
    const key = `${level} ${result.status}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  console.log(`graphql-http audit: ${results.length} audits`, counts);
  const failed = results
    .filter((result) => result.status !== 'ok')
    .map((result) => `${result.status}: ${result.name}: ${result.reason}`);
  assert.deepEqual(failed, []);
});
