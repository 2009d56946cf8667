import { chmod, mkdir, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** fsync a directory so a rename, create or unlink in it survives a power cut. */
export async function fsyncDir(dir: string): Promise<void> {
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

/**
 * Creates the audit directory 0700 (when `create`) and tightens an existing one and every file in
 * it to 0700/0600: an older version, a restore from backup or a hand-made directory may have left
 * them readable.
 */
export async function secureDir(dir: string, create = true): Promise<void> {
  if (create) await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  for (const name of await readdir(dir)) {
    if (name.startsWith('audit.') || name.startsWith('.relocation'))
      await chmod(join(dir, name), 0o600).catch(() => {});
  }
}
