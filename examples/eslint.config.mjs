// Lints the example operations against the committed schema as a frontend's CI would: every
// selection of an object that has an `id` selects it, so normalised caches (Apollo Client,
// urql's graphcache, Relay) can merge answers instead of refetching.
// The linter and its plugin are installed with the example client (examples/client), whose
// `npm run lint` runs this.
import { createRequire } from 'node:module';

const require = createRequire(new URL('./client/package.json', import.meta.url));
const graphqlPlugin = require('@graphql-eslint/eslint-plugin');

export default [
  {
    files: ['operations/*.graphql'],
    languageOptions: {
      parser: graphqlPlugin.parser,
      parserOptions: {
        graphQLConfig: {
          schema: '../schema.graphql',
          documents: 'operations/*.graphql',
        },
      },
    },
    plugins: { '@graphql-eslint': graphqlPlugin },
    rules: {
      '@graphql-eslint/require-selections': ['error', { fieldName: 'id' }],
      '@graphql-eslint/known-type-names': 'error',
      '@graphql-eslint/fields-on-correct-type': 'error',
      '@graphql-eslint/no-unused-variables': 'error',
      '@graphql-eslint/no-undefined-variables': 'error',
    },
  },
];
