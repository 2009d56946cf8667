import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHostReader, type HostReader } from '../../../server/backends/host/host-reader.js';

/** Absolute path of the repository's testdata/ directory. */
export const TESTDATA = fileURLToPath(new URL('../../../testdata/', import.meta.url));
export const PROC = join(TESTDATA, 'proc');
export const SYS = join(TESTDATA, 'sys');

export const FIXTURE_SETS = [
  'unraid-6.11',
  'unraid-7.3.1',
  'unraid-7.3.2',
  'zfs-pools',
  'parity-check-running',
  'parity-check-paused',
] as const;
export type FixtureSet = (typeof FIXTURE_SETS)[number];

export const emhttpDir = (set: FixtureSet) => join(TESTDATA, 'emhttp', set);

/** A reader over testdata/proc + testdata/sys and one emhttp fixture set. */
export function fixtureReader(set: FixtureSet): HostReader {
  return createHostReader({ procRoot: PROC, sysRoot: SYS, emhttpRoot: emhttpDir(set) });
}

/** A scratch directory removed by the returned cleanup function. */
export async function tempDir(
  prefix = 'unraid-mcp-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Copies a testdata subtree into a fresh temp dir, for tests that rewrite files. */
export async function copyOf(sub: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const t = await tempDir();
  await cp(join(TESTDATA, sub), t.dir, { recursive: true });
  return t;
}
