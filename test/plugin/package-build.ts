import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const REPO = resolve(import.meta.dirname, '../..');

export interface PackageBuild {
  out: string;
  version: string;
  sourceDateEpoch: number;
  package: string;
  sha256: string;
  packageBytes: number;
  installedBytes: number;
  node: string;
  pluginUrl: string;
  txzPath: string;
  plgPath: string;
}

/**
 * Runs `npm run package`'s script into `out` (its own folder, so a developer's dist/package is left
 * alone) and returns its build.json. The first run on a machine fetches the Node runtime from the
 * npm registry and compresses it (about a minute); later runs reuse .cache/package.
 */
export async function buildPackageInto(
  out: string,
  /** e.g. SOURCE_DATE_EPOCH (the version) and UNRAID_MCP_RELEASES_URL (where the .plg fetches from). */
  env: Record<string, string> = {},
): Promise<PackageBuild> {
  await promisify(execFile)(process.execPath, [join(REPO, 'scripts/package/build.mjs'), '--out', out], {
    cwd: REPO,
    maxBuffer: 16 << 20,
    env: { ...process.env, ...env },
  });
  const summary = JSON.parse(await readFile(join(out, 'build.json'), 'utf8')) as Omit<
    PackageBuild,
    'out' | 'txzPath' | 'plgPath'
  >;
  return { ...summary, out, txzPath: join(out, summary.package), plgPath: join(out, 'unraid-mcp.plg') };
}
