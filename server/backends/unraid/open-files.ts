import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** A process holding files open under /mnt, as array_stop's approval text names it. */
export interface MntFileHolder {
  pid: number;
  command: string;
  /** Up to a few of its open paths under /mnt. */
  paths: string[];
  /** How many files under /mnt it holds in all. */
  count: number;
}

export interface MntOpenFiles {
  holders: MntFileHolder[];
  /** Processes whose descriptors could not be read (gone meanwhile, or not ours to read). */
  unreadable: number;
  /** True when the scan stopped at its process limit; the list is then incomplete. */
  partial: boolean;
}

const PATHS_PER_PROCESS = 3;
const MAX_PROCESSES = 4096;

/**
 * Files open under /mnt, found the cheap way: the target of every /proc/<pid>/fd/* link. Reading a link
 * is a procfs lookup of the kernel's own record; nothing under /mnt is opened or stat'ed, so no disk
 * spins up for it (lsof and fuser stat every file). Sockets, pipes and anonymous files never match.
 */
export async function findMntOpenFiles(procRoot: string, signal?: AbortSignal): Promise<MntOpenFiles> {
  const pids = (await readdir(procRoot)).filter((n) => /^\d+$/.test(n));
  const holders: MntFileHolder[] = [];
  let unreadable = 0;
  for (const pid of pids.slice(0, MAX_PROCESSES)) {
    signal?.throwIfAborted();
    const fdDir = join(procRoot, pid, 'fd');
    let fds: string[];
    try {
      fds = await readdir(fdDir);
    } catch {
      unreadable++;
      continue;
    }
    const paths: string[] = [];
    let count = 0;
    for (const fd of fds) {
      const target = await readlink(join(fdDir, fd)).catch(() => null);
      if (target === null || !(target === '/mnt' || target.startsWith('/mnt/'))) continue;
      count++;
      if (paths.length < PATHS_PER_PROCESS && !paths.includes(target)) paths.push(target);
    }
    if (count === 0) continue;
    const comm = await readFile(join(procRoot, pid, 'comm'), 'utf8').catch(() => '?');
    holders.push({ pid: Number(pid), command: comm.trim() || '?', paths, count });
  }
  return { holders, unreadable, partial: pids.length > MAX_PROCESSES };
}
