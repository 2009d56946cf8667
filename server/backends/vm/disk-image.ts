import { execFile } from 'node:child_process';
import { open, rm } from 'node:fs/promises';
import { ToolError } from '../../errors/tool-error.js';
import { ConflictError } from '../../errors/conflict-error.js';

export const DISK_FORMATS = ['qcow2', 'raw'] as const;
export type DiskFormat = (typeof DISK_FORMATS)[number];

/**
 * Creates an empty disk image of `bytes` at `path`, never over an existing file. raw images are sparse
 * files (no tool needed); qcow2 images are made by qemu-img (execFile, no shell), which Unraid ships.
 */
export async function createDiskImage(
  path: string,
  format: DiskFormat,
  bytes: number,
  signal: AbortSignal,
): Promise<void> {
  // Claim the name first with O_EXCL: two calls can never write the same image.
  const handle = await open(path, 'wx', 0o644).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EEXIST')
      throw new ConflictError(`The disk image ${path} already exists; it was not overwritten.`);
    throw new ToolError('backend_error', `Cannot create the disk image ${path}: ${err.code ?? err.message}.`);
  });
  try {
    if (format === 'raw') {
      await handle.truncate(bytes);
      return;
    }
    await handle.close();
    await qemuImg(['create', '-q', '-f', 'qcow2', path, String(bytes)], signal);
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  } finally {
    await handle.close().catch(() => {});
  }
}

function qemuImg(args: string[], signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'qemu-img',
      args,
      { signal, timeout: 60_000, env: { ...process.env, LC_ALL: 'C' } },
      (err, _stdout, stderr) => {
        if (!err) return resolve();
        if ((err as NodeJS.ErrnoException).code === 'ENOENT')
          return reject(
            new ToolError(
              'backend_unavailable',
              'qemu-img is not installed on this server, so qcow2 images cannot be created here; use format "raw".',
            ),
          );
        reject(
          new ToolError(
            'backend_error',
            `qemu-img could not create the image: ${stderr.trim().split('\n')[0] ?? err.message}.`,
          ),
        );
      },
    );
  });
}
