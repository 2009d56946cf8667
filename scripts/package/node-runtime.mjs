// The pinned Node binary for the package, from the npm registry only (`npm pack`), checked against the
// pinned sha512 integrity and cached, so a rebuild needs no network and always ships the same bytes.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_DIR, NODE_RUNTIME } from './settings.mjs';

function integrityOf(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/** Path of the cached `node` binary of NODE_RUNTIME, fetching the registry tarball on first use. */
export function nodeRuntime({ log = console.log } = {}) {
  const { package: pkg, version, integrity } = NODE_RUNTIME;
  const dir = join(CACHE_DIR, `${pkg}-${version}`);
  const binary = join(dir, 'bin/node');
  if (existsSync(binary)) return binary;
  mkdirSync(CACHE_DIR, { recursive: true });
  const tgz = join(CACHE_DIR, `${pkg}-${version}.tgz`);
  if (!existsSync(tgz) || integrityOf(tgz) !== integrity) {
    log(`runtime: fetching ${pkg}@${version} from the npm registry`);
    execFileSync('npm', ['pack', `${pkg}@${version}`, '--pack-destination', CACHE_DIR, '--silent'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const got = integrityOf(tgz);
  if (got !== integrity) {
    rmSync(tgz, { force: true });
    throw new Error(`runtime: ${pkg}@${version} has integrity ${got}, expected the pinned ${integrity}`);
  }
  const staging = `${dir}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  execFileSync('tar', [
    '-xzf',
    tgz,
    '-C',
    staging,
    '--strip-components=1',
    'package/bin/node',
    'package/LICENSE',
  ]);
  renameSync(staging, dir);
  return binary;
}
