#!/usr/bin/env node
// `npm run package`: the WebGUI, the bundled sidecar with its Node runtime, the Slackware package
// unraid-mcp-<version>-x86_64-1.txz and the unraid-mcp.plg that installs it, all in dist/package/
// (or --out DIR). The same commit gives the same package, byte for byte.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleServer } from './bundle-server.mjs';
import { makeTxz, normaliseModes } from './make-txz.mjs';
import { nodeRuntime } from './node-runtime.mjs';
import { changesFor, renderCaTemplate, renderTemplate } from './render-plg.mjs';
import {
  ARCH,
  AUTHOR,
  BUILD,
  EMHTTP_DIR,
  LAUNCH,
  LIB_DIR,
  MIN_UNRAID,
  NODE_RUNTIME,
  OUT_DIR,
  PLUGIN,
  RELEASES_URL,
  REPO,
} from './settings.mjs';
import { sourceDateEpoch, treeIsDirty, versionFromEpoch } from './version.mjs';

const NODE_FLAGS = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).unraidMcp.nodeFlags;

/** The command line and the service's entry: the packaged Node, the production V8 flags, the bundle. */
const LAUNCHER = `#!/bin/sh
# unraid-mcp: runs the bundled sidecar with the Node runtime shipped beside it and the production V8
# flags (package.json unraidMcp.nodeFlags). Paths are found from this file, so a relocated tree runs too.
here=$(dirname "$(readlink -f "$0")")
# V8's compile cache (Node's NODE_COMPILE_CACHE) in a root-only folder in RAM: a restart skips
# compiling the bundle again (about 60 ms of CPU). Never a shared folder such as /tmp: the cached code
# is run as it is.
: "\${NODE_COMPILE_CACHE:=/var/cache/unraid-mcp/compile-cache}"
export NODE_COMPILE_CACHE
exec "$here/../node/bin/node" ${NODE_FLAGS} "$here/../unraid-mcp.mjs" "$@"
`;

/** Page-rounded size (what a file costs in tmpfs, where Unraid's root filesystem lives). */
function installedBytes(dir) {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const st = statSync(join(dir, name));
    total += st.isDirectory() ? installedBytes(join(dir, name)) : Math.ceil(st.size / 4096) * 4096;
  }
  return total;
}

function buildWebui(outDir, log) {
  log('webui: vite build');
  execFileSync(
    process.execPath,
    [
      join(REPO, 'node_modules/vite/bin/vite.js'),
      'build',
      '-c',
      'webui/vite.config.ts',
      '--outDir',
      outDir,
      '--emptyOutDir',
    ],
    { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] },
  );
}

export async function buildPackage({ out = OUT_DIR, log = console.log } = {}) {
  const epoch = sourceDateEpoch();
  const version = versionFromEpoch(epoch);
  if (treeIsDirty()) log('note: tracked files differ from the commit; the package holds the working tree');
  const packageName = `${PLUGIN}-${version}-${ARCH}-${BUILD}.txz`;
  rmSync(out, { recursive: true, force: true });
  const root = join(out, 'root');
  mkdirSync(root, { recursive: true });

  // The plugin tree as written in plugin/ (pages, PHP bridge, install/ scripts, ...).
  for (const part of ['install', 'usr']) {
    cpSync(join(REPO, 'plugin', part), join(root, part), {
      recursive: true,
      filter: (src) => !/\/\.[^/]*$/.test(src),
    });
  }
  const webui = join(out, 'webui');
  buildWebui(webui, log);
  for (const f of ['unraid-mcp.js', 'unraid-mcp.css']) {
    mkdirSync(join(root, EMHTTP_DIR, 'assets'), { recursive: true });
    copyFileSync(join(webui, f), join(root, EMHTTP_DIR, 'assets', f));
  }

  const lib = join(root, LIB_DIR);
  log('server: esbuild bundle');
  const nodeMajor = NODE_RUNTIME.version.split('.')[0];
  await bundleServer(lib, nodeMajor);
  // esbuild marks the entry executable for its hashbang; the launcher is the way in (it adds the
  // production V8 flags and the packaged Node), so the bundle is a plain file.
  chmodSync(join(lib, 'unraid-mcp.mjs'), 0o644);
  const node = nodeRuntime({ log });
  mkdirSync(join(lib, 'node/bin'), { recursive: true });
  copyFileSync(node, join(lib, 'node/bin/node'));
  copyFileSync(join(node, '../../LICENSE'), join(lib, 'node/LICENSE'));
  mkdirSync(join(lib, 'bin'), { recursive: true });
  writeFileSync(join(lib, 'bin/unraid-mcp'), LAUNCHER);

  const executables = new Set([`${LIB_DIR}/node/bin/node`, `${LIB_DIR}/bin/unraid-mcp`]);
  normaliseModes(root, (rel) => executables.has(rel) || rel.endsWith('.node'));
  const installed = installedBytes(root);

  log(`package: ${packageName}`);
  const txz = makeTxz(root, join(out, packageName), { epoch, bigEntry: `./${LIB_DIR}/node/bin/node` });

  const pluginUrl = `${RELEASES_URL}/latest/download/${PLUGIN}.plg`;
  const plg = renderTemplate(readFileSync(join(REPO, 'plugin/unraid-mcp.plg.in'), 'utf8'), {
    NAME: PLUGIN,
    AUTHOR,
    VERSION: version,
    LAUNCH,
    MIN: MIN_UNRAID,
    PLUGIN_URL: pluginUrl,
    PACKAGE_NAME: packageName,
    PACKAGE_URL: `${RELEASES_URL}/download/${version}/${packageName}`,
    PACKAGE_SHA256: txz.sha256,
    PACKAGE_KB: Math.ceil(txz.bytes / 1024),
    INSTALLED_KB: Math.ceil(installed / 1024),
    CHANGES: changesFor(version),
  });
  writeFileSync(join(out, `${PLUGIN}.plg`), plg);
  // `npm run package` also refreshes the committed copy at the top of the repository (what the
  // template renders to; test/plugin checks the two agree). Builds elsewhere (tests) leave it alone.
  if (resolve(out) === OUT_DIR) writeFileSync(join(REPO, `${PLUGIN}.plg`), plg);
  writeFileSync(
    join(out, `${PLUGIN}.xml`),
    renderCaTemplate(readFileSync(join(REPO, 'plugin/ca/unraid-mcp.xml'), 'utf8'), pluginUrl),
  );

  const summary = {
    version,
    sourceDateEpoch: epoch,
    package: packageName,
    sha256: txz.sha256,
    packageBytes: txz.bytes,
    installedBytes: installed,
    node: NODE_RUNTIME.version,
    pluginUrl,
  };
  writeFileSync(join(out, 'build.json'), `${JSON.stringify(summary, null, 2)}\n`);
  log(
    `done: ${packageName} ${(txz.bytes / 1048576).toFixed(1)} MiB, installed ${(installed / 1048576).toFixed(1)} MiB, sha256 ${txz.sha256}`,
  );
  return { ...summary, out, root, txzPath: join(out, packageName), plgPath: join(out, `${PLUGIN}.plg`) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  await buildPackage({ out: values.out ? resolve(values.out) : OUT_DIR });
}
