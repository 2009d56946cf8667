// The sidecar as a handful of files: server/main.ts bundled by esbuild into unraid-mcp.mjs, its lazily
// imported parts (service, admin API, Docker client, tool modules, XML parser) as chunks beside it, and
// the two packages that must stay real files in node_modules/ beside the bundle.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { REPO } from './settings.mjs';

/**
 * esbuild turns `require()` inside bundled CommonJS (express, dockerode…) into a shim that needs a
 * real `require` in an ES module; this gives every output file one. esbuild keeps this name free:
 * modules that declare their own `require` (as @unraid/libvirt does) are renamed around it.
 */
const REQUIRE_BANNER =
  "import { createRequire as __unraidMcpCreateRequire } from 'node:module'; const require = __unraidMcpCreateRequire(import.meta.url);";

/**
 * Kept out of the bundle, shipped under node_modules/:
 * - @unraid/libvirt loads its native addon with a path relative to its own file
 *   (`../build/Release/libvirt`), so it is pre-bundled into one file at its usual place, addon beside;
 * - re2js is handed to the docker_logs regex worker by file path (regex-worker.ts resolves it at load).
 * Other native addons (ssh2's optional crypto and cpu-features, reached through dockerode) are not
 * built here and their packages load them inside try/catch, so their `.node` requires stay as they are.
 */
const EXTERNAL = ['@unraid/libvirt', 're2js', '*.node'];

/**
 * Node's own modules reached by `import` are loaded with `require` instead. An ES module namespace of
 * a built-in is filled by reading every export once, and some exports are getters that load large
 * parts of Node on first read: on Node 24, `import … from 'node:http'` loads its whole fetch
 * implementation (undici, with http2, tls and web streams) for `http.WebSocket`, about 40 ms of CPU
 * and 15 MB at every start; `node:crypto` loads WebCrypto for `crypto.subtle`. `require` returns the
 * same module object without reading them, and esbuild's interop copies exports as getters, so each
 * is still read only where the code uses it.
 */
const BUILTIN = new RegExp(`^(node:)?(${builtinModules.map((m) => m.replace(/[/]/g, '\\/')).join('|')})$`);
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(b) {
    b.onResolve({ filter: BUILTIN }, (args) =>
      args.kind === 'import-statement' || args.kind === 'dynamic-import'
        ? { path: args.path.replace(/^node:/, ''), namespace: 'builtin-by-require' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin-by-require' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`node:${args.path}`)});`,
      loader: 'js',
    }));
  },
};

/**
 * prom-client's index.js requires all of the library as it loads, the Pushgateway client among it
 * (https, tls and zlib, about 100 M instructions of Node's own code compiled at every start) and the
 * cluster aggregator, neither of which the sidecar uses. In the bundle each of its exports becomes a
 * getter that requires its part on first read: the same objects, loaded when used. A prom-client
 * whose index no longer has this shape fails the build instead of being bundled eagerly unnoticed.
 */
const PROM_CLIENT_INDEX = /[\\/]node_modules[\\/]prom-client[\\/]index\.js$/;
const promClientLazyIndex = {
  name: 'prom-client-lazy-index',
  setup(b) {
    b.onLoad({ filter: PROM_CLIENT_INDEX }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      let count = 0;
      const lazy = source.replace(/^exports\.(\w+) =\s*([^;]+);$/gm, (_, name, value) => {
        count++;
        return `Object.defineProperty(exports, '${name}', { enumerable: true, get: () => ${value.trim()} });`;
      });
      const eager = lazy.split('\n').filter((l) => /^(exports\.|module\.exports|require\()/.test(l));
      if (count < 10 || eager.length > 0)
        throw new Error(
          `prom-client's index.js changed shape (${count} exports made lazy; still eager: ${eager.join(' | ') || 'none'}): update promClientLazyIndex in scripts/package/bundle-server.mjs`,
        );
      return { contents: lazy, loader: 'js' };
    });
  },
};

async function esbuildTo(options) {
  const result = await build({
    bundle: true,
    format: 'esm',
    platform: 'node',
    logLevel: 'warning',
    legalComments: 'none',
    minify: true,
    // Error and class names stay readable in logs and in `err.name` checks.
    keepNames: true,
    // Non-ASCII characters (→, —, × in messages) written as \u escapes: a file with even one of them
    // becomes a two-byte string in V8 (twice the memory for the source it keeps) that Node converts to
    // UTF-8 to find its compile cache, about 3 % of a start's instructions.
    charset: 'ascii',
    banner: { js: REQUIRE_BANNER },
    metafile: true,
    plugins: [builtinsByRequire, promClientLazyIndex],
    ...options,
  });
  return result.metafile;
}

/** Bundles the sidecar into `libDir` for Node `nodeMajor`; returns the files written (relative). */
export async function bundleServer(libDir, nodeMajor) {
  const target = `node${nodeMajor}`;
  const main = await esbuildTo({
    entryPoints: { 'unraid-mcp': join(REPO, 'server/main.ts') },
    outdir: libDir,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    external: EXTERNAL,
    target,
  });

  const libvirtSrc = join(REPO, 'node_modules/@unraid/libvirt');
  const libvirtDir = join(libDir, 'node_modules/@unraid/libvirt');
  await esbuildTo({
    entryPoints: [join(libvirtSrc, 'dist/index.js')],
    outfile: join(libvirtDir, 'dist/index.js'),
    target,
  });
  const libvirtPkg = JSON.parse(readFileSync(join(libvirtSrc, 'package.json'), 'utf8'));
  writePackageJson(libvirtDir, libvirtPkg, { '.': { import: './dist/index.js' } });
  copy(join(libvirtSrc, 'build/Release/libvirt.node'), join(libvirtDir, 'build/Release/libvirt.node'));
  copy(join(libvirtSrc, 'LICENSE'), join(libvirtDir, 'LICENSE'));

  const re2Src = join(REPO, 'node_modules/re2js');
  const re2Dir = join(libDir, 'node_modules/re2js');
  const re2Pkg = JSON.parse(readFileSync(join(re2Src, 'package.json'), 'utf8'));
  writePackageJson(re2Dir, re2Pkg, {
    '.': { import: './build/index.js', require: './build/index.cjs' },
  });
  for (const f of ['build/index.js', 'build/index.cjs', 'LICENSE']) copy(join(re2Src, f), join(re2Dir, f));

  return Object.keys(main.outputs);
}

/** A package.json with only what Node's resolver reads (no scripts, no install hooks). */
function writePackageJson(dir, pkg, exports) {
  mkdirSync(dir, { recursive: true });
  const slim = { name: pkg.name, version: pkg.version, license: pkg.license, type: pkg.type, exports };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(slim, null, 2)}\n`);
}

function copy(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}
