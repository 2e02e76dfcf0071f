// What both bundles the server embeds (web/graphiql, web/app) do after esbuild: precompressed
// copies, so the server answers `Accept-Encoding` without compressing per request, and a
// manifest — the bundle's version (a hash of its contents, used in its URL so browsers may
// cache it for good) and its files.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import zlib, { brotliCompressSync, gzipSync } from 'node:zlib';

export function finish(outdir) {
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
}
