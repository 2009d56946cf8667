import { readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { mapInBatches } from '../../util/map-in-batches.js';

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
/** Processes looked at together: procfs lookups are cheap, but each is a libuv thread-pool job. */
const BATCH = 16;

const underMnt = (target: string) => target === '/mnt' || target.startsWith('/mnt/');

/** One process's files under /mnt, or null when it holds none ('unreadable' when its fd folder cannot be listed). */
async function holderOf(procRoot: string, pid: string): Promise<MntFileHolder | null | 'unreadable'> {
  const fdDir = join(procRoot, pid, 'fd');
  let fds: string[];
  try {
    fds = await readdir(fdDir);
  } catch {
    return 'unreadable';
  }
  const targets = await Promise.all(fds.map((fd) => readlink(join(fdDir, fd)).catch(() => null)));
  const mnt = targets.filter((t): t is string => t !== null && underMnt(t));
  if (mnt.length === 0) return null;
  const comm = await readFile(join(procRoot, pid, 'comm'), 'utf8').catch(() => '?');
  return {
    pid: Number(pid),
    command: comm.trim() || '?',
    paths: [...new Set(mnt)].slice(0, PATHS_PER_PROCESS),
    count: mnt.length,
  };
}

/**
 * Files open under /mnt, found the cheap way: the target of every /proc/<pid>/fd/* link. Reading a link
 * is a procfs lookup of the kernel's own record; nothing under /mnt is opened or stat'ed, so no disk
 * spins up for it (lsof and fuser stat every file). Sockets, pipes and anonymous files never match.
 */
export async function findMntOpenFiles(procRoot: string, signal?: AbortSignal): Promise<MntOpenFiles> {
  const pids = (await readdir(procRoot)).filter((n) => /^\d+$/.test(n));
  const found = await mapInBatches(pids.slice(0, MAX_PROCESSES), BATCH, (pid) => {
    signal?.throwIfAborted();
    return holderOf(procRoot, pid);
  });
  return {
    holders: found
      .filter((h): h is MntFileHolder => h !== null && h !== 'unreadable')
      .sort((a, b) => a.pid - b.pid),
    unreadable: found.filter((h) => h === 'unreadable').length,
    partial: pids.length > MAX_PROCESSES,
  };
}
