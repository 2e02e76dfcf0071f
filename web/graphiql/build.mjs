// Bundles GraphiQL and contactflow's additions into a few static files for the server binary to
// embed: one script, one stylesheet and the three Monaco editor workers. Fonts and icons are
// inlined, so the page needs nothing beyond the server that serves it.
//
// usage: node build.mjs OUT_DIR
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import zlib, { brotliCompressSync, gzipSync } from 'node:zlib';

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

// Precompressed copies, so the server answers `Accept-Encoding` without compressing per request,
// and a manifest: the bundle's version (a hash of its contents, used in its URL so browsers may
// cache it for good) and its files.
const files = readdirSync(outdir).filter((name) => /\.(js|css)$/.test(name)).sort();
const hash = createHash('sha256');
for (const name of files) {
  const bytes = readFileSync(join(outdir, name));
  hash.update(name).update(bytes);
  writeFileSync(join(outdir, `${name}.gz`), gzipSync(bytes, { level: 9 }));
  writeFileSync(
    join(outdir, `${name}.br`),
    brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9 } }),
  );
}
writeFileSync(join(outdir, 'manifest.txt'), [hash.digest('hex').slice(0, 16), ...files].join('\n') + '\n');
