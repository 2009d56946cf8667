import { readFile } from 'node:fs/promises';
import { BackendUnavailableError } from '../../errors/backend-unavailable-error.js';
import { NotFoundError } from '../../errors/not-found-error.js';
import { parseEmhttpIni } from '../host/emhttp-ini.js';
import { readDisks, type DiskInfo } from '../host/disks-ini.js';

/**
 * emhttp's disk list, read from disks.ini now — not through the host reader's cache: the disk tools
 * act on what emhttp shows at this moment (spun down or not) and read it back after a spin command.
 * Reading it never touches a device, so it never wakes a disk.
 */
export async function readDiskSlots(disksIniPath: string, signal?: AbortSignal): Promise<DiskInfo[]> {
  let text: string;
  try {
    text = await readFile(disksIniPath, { encoding: 'utf8', signal });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new BackendUnavailableError(
        "emhttp's disk list (disks.ini) was not found — this does not look like an Unraid server, or emhttp has not started yet. Nothing was run.",
      );
    if (code === 'EACCES' || code === 'EPERM')
      throw new BackendUnavailableError(
        "emhttp's disk list (disks.ini) could not be read (permission denied) — unraid-mcp must run as root. Nothing was run.",
      );
    throw err;
  }
  return readDisks(parseEmhttpIni(text)).disks;
}

/**
 * The disk Unraid calls `name` (disk1, parity, cache, a pool member…). An unknown name is refused with
 * the names that do exist; a device name (sdc, nvme0n1) is answered with the disk that uses it.
 */
export function findDisk(disks: ReadonlyArray<DiskInfo>, name: string): DiskInfo {
  const disk = disks.find((d) => d.name === name);
  if (disk) return disk;
  const byDevice = disks.filter((d) => d.device === name).map((d) => d.name);
  if (byDevice.length > 0)
    throw new NotFoundError(
      `"${name}" is a device name, not an Unraid disk name; it is ${byDevice.join(' and ')}. Use that name. Nothing was run.`,
    );
  const known = disks.filter((d) => d.present).map((d) => d.name);
  throw new NotFoundError(
    `Unraid has no disk named "${name}". Disks with a device: ${known.length ? known.join(', ') : 'none'} (see system_disks). Nothing was run.`,
  );
}
