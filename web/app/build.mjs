// Builds the reference app for the server binary to embed: GraphQL Code Generator first
// (typed documents and the persisted-documents manifest in gql/, from the committed
// schema.graphql and src/operations.ts), then one script and one stylesheet with esbuild.
//
// usage: node build.mjs OUT_DIR      (or --codegen-only, for an editor or tsc)
import { generate } from '@graphql-codegen/cli';
import { Kind, visit } from 'graphql';
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { finish } from '../bundle.mjs';

/** `__typename` in every selection of an object, but not at the root (a subscription has
 * exactly one root field). */
function withTypenames(source) {
  const typename = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } };
  const document = visit(source.document, {
    Field(field) {
      const selections = field.selectionSet?.selections;
      if (!selections || selections.some((s) => s.kind === Kind.FIELD && s.name.value === '__typename')) {
        return undefined;
      }
      return { ...field, selectionSet: { ...field.selectionSet, selections: [typename, ...selections] } };
    },
  });
  return { ...source, document };
}

await generate(
  {
    schema: '../../schema.graphql',
    documents: 'src/operations.ts',
    silent: true,
    generates: {
      'gql/': {
        preset: 'client',
        presetConfig: {
          // Each document carries the sha256 of its text, and the manifest
          // ({ "<sha256>": "<document>" }) is what the server trusts.
          persistedDocuments: { hashAlgorithm: 'sha256' },
          fragmentMasking: false,
        },
        // The cache normalises by __typename: the documents ask for it themselves, so the
        // text the server runs is the text the cache expects.
        documentTransforms: [{ transform: ({ documents }) => documents.map(withTypenames) }],
        config: {
          scalars: { DateTime: 'string' },
          enumsAsTypes: true,
          strictScalars: true,
          useTypeImports: true,
        },
      },
    },
  },
  true,
);

if (process.argv[2] !== '--codegen-only') {
  const outdir = resolve(process.argv[2] ?? 'dist');
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: { app: 'src/main.tsx' },
    outdir,
    bundle: true,
    minify: true,
    legalComments: 'eof',
    target: ['es2022'],
    format: 'esm',
    jsx: 'automatic',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  copyFileSync('gql/persisted-documents.json', join(outdir, 'persisted-documents.json'));
  finish(outdir);
}
