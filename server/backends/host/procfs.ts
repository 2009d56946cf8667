import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Small procfs readers. Every reader takes the proc root (tests point it at testdata/proc) and returns
 * null when its file is absent or unreadable — a container or an unusual kernel may lack one, and the
 * overview should still report everything else.
 */

/** File text, or null for expected absence (ENOENT, ENOTDIR, EACCES). Other errors propagate. */
export async function readTextOrNull(path: string, signal?: AbortSignal): Promise<string | null> {
  try {
    return await readFile(path, { encoding: 'utf8', signal });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (
      code === 'ENOENT' ||
      code === 'ENOTDIR' ||
      code === 'EACCES' ||
      code === 'EPERM' ||
      code === 'EINVAL' ||
      code === 'EIO'
    )
      return null;
    throw err;
  }
}

async function firstLine(path: string, signal?: AbortSignal): Promise<string | null> {
  const t = await readTextOrNull(path, signal);
  const line = t?.split('\n')[0]?.trim();
  return line ? line : null;
}

export const readHostname = (proc: string, signal?: AbortSignal) =>
  firstLine(join(proc, 'sys/kernel/hostname'), signal);
export const readKernelRelease = (proc: string, signal?: AbortSignal) =>
  firstLine(join(proc, 'sys/kernel/osrelease'), signal);

/** Seconds since boot (whole seconds), from /proc/uptime. */
export async function readUptime(proc: string, signal?: AbortSignal): Promise<number | null> {
  const line = await firstLine(join(proc, 'uptime'), signal);
  const n = Number(line?.split(/\s+/)[0]);
  return line && Number.isFinite(n) ? Math.floor(n) : null;
}

export interface LoadAverage {
  one: number;
  five: number;
  fifteen: number;
}

export async function readLoadAverage(proc: string, signal?: AbortSignal): Promise<LoadAverage | null> {
  const line = await firstLine(join(proc, 'loadavg'), signal);
  const [one, five, fifteen] = (line ?? '').split(/\s+/).map(Number);
  if (one === undefined || five === undefined || fifteen === undefined) return null;
  if (![one, five, fifteen].every(Number.isFinite)) return null;
  return { one, five, fifteen };
}

export interface MemoryInfo {
  totalBytes: number;
  usedBytes: number;
  availableBytes: number;
  freeBytes: number;
  buffersBytes: number;
  cachedBytes: number;
  swap: { totalBytes: number; usedBytes: number; freeBytes: number };
  zfsArcBytes: number | null;
}

/** /proc/meminfo in bytes. used = MemTotal − MemAvailable (what `free` reports as used since procps 4). */
export async function readMemory(proc: string, signal?: AbortSignal): Promise<MemoryInfo | null> {
  const t = await readTextOrNull(join(proc, 'meminfo'), signal);
  if (t === null) return null;
  const kb = new Map<string, number>();
  for (const line of t.split('\n')) {
    const m = /^([\w()]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line.trim());
    if (m?.[1] && m[2]) kb.set(m[1], Number(m[2]) * 1024);
  }
  const total = kb.get('MemTotal');
  if (total === undefined) return null;
  const free = kb.get('MemFree') ?? 0;
  const buffers = kb.get('Buffers') ?? 0;
  const cached = kb.get('Cached') ?? 0;
  // Kernels before 3.14 lack MemAvailable; free + buffers + cache is the classic estimate.
  const available = kb.get('MemAvailable') ?? free + buffers + cached;
  const swapTotal = kb.get('SwapTotal') ?? 0;
  const swapFree = kb.get('SwapFree') ?? 0;
  return {
    totalBytes: total,
    usedBytes: Math.max(0, total - available),
    availableBytes: available,
    freeBytes: free,
    buffersBytes: buffers,
    cachedBytes: cached,
    swap: { totalBytes: swapTotal, usedBytes: Math.max(0, swapTotal - swapFree), freeBytes: swapFree },
    zfsArcBytes: await readArcSize(proc, signal),
  };
}

/** Current ZFS ARC size in bytes (`size` row of spl/kstat/zfs/arcstats), or null without ZFS. */
export async function readArcSize(proc: string, signal?: AbortSignal): Promise<number | null> {
  const t = await readTextOrNull(join(proc, 'spl/kstat/zfs/arcstats'), signal);
  const m = t === null ? null : /^size\s+\d+\s+(\d+)\s*$/m.exec(t);
  return m?.[1] ? Number(m[1]) : null;
}

/** CPU model name from /proc/cpuinfo (x86 `model name`; ARM `Hardware`/`Model` as fallbacks). */
export async function readCpuModel(proc: string, signal?: AbortSignal): Promise<string | null> {
  const t = await readTextOrNull(join(proc, 'cpuinfo'), signal);
  if (t === null) return null;
  for (const key of ['model name', 'Hardware', 'Model']) {
    const m = new RegExp(`^${key}\\s*:\\s*(.+)$`, 'm').exec(t);
    if (m?.[1]) return m[1].trim().replace(/\s+/g, ' ');
  }
  return null;
}
