// Bundles GraphiQL and contactflow's additions into a few static files for the server binary to
// embed: one script, one stylesheet and the three Monaco editor workers. Fonts and icons are
// inlined, so the page needs nothing beyond the server that serves it.
//
// usage: node build.mjs OUT_DIR
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { finish } from '../bundle.mjs';

const outdir = resolve(process.argv[2] ?? 'dist');
mkdirSync(outdir, { recursive: true });

const common = {
  bundle: true,
  minify: true,
  legalComments: 'eof',
  target: ['es2022'],
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
  loader: { '.ttf': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl', '.svg': 'dataurl', '.graphql': 'text' },
};

await build({
  ...common,
  entryPoints: { graphiql: 'src/main.jsx' },
  outdir,
  format: 'esm',
  jsx: 'automatic',
});

// Workers are classic scripts so that every browser can start them from a plain URL.
await build({
  ...common,
  entryPoints: {
    'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
    'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
    'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
  },
  outdir,
  format: 'iife',
});

finish(outdir);
