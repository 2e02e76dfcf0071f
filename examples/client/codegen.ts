// Generates typed documents for the example operations from the committed schema, as a
// frontend project would (client preset: one typed DocumentNode per operation).
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../../schema.graphql',
  // CONTACTFLOW_OPERATIONS lets a test point codegen at other documents.
  documents: process.env.CONTACTFLOW_OPERATIONS ?? '../operations/*.graphql',
  generates: {
    'src/gql/': {
      preset: 'client',
      // Also writes src/gql/persisted-documents.json, the { "<sha256>": "<document>" } manifest
      // the server loads as trusted documents (CONTACTFLOW_PERSISTED_DOCUMENTS).
      presetConfig: { persistedDocuments: true },
      config: {
        scalars: { DateTime: 'string' },
        enumsAsTypes: true,
        strictScalars: true,
        useTypeImports: true,
      },
    },
  },
  ignoreNoDocuments: false,
};

export default config;
