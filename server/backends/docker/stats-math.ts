/**
 * The numbers `docker stats` shows, computed the way the Docker CLI computes them
 * (cli/command/container/stats_helpers.go), from one non-streaming stats sample.
 */

/** The parts of Docker's stats JSON this reads; every field optional, as daemons and cgroup versions differ. */
export interface RawStats {
  read?: string;
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number | undefined> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  blkio_stats?: { io_service_bytes_recursive?: Array<{ op?: string; value?: number }> | null };
  pids_stats?: { current?: number; limit?: number };
}

interface CpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null };
  system_cpu_usage?: number;
  online_cpus?: number;
}

export interface StatsSummary {
  cpuPercent: number;
  onlineCpus: number;
  memory: { usedBytes: number; limitBytes: number; percent: number; cacheBytes: number };
  network: { rxBytes: number; txBytes: number; interfaces: number } | null;
  blockIo: { readBytes: number; writeBytes: number };
  pids: number | null;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * CPU %: the container's CPU time delta over the host's CPU time delta between the two samples
 * Docker takes ~1 s apart, times the online CPUs, times 100 — so one busy core reads 100 %.
 */
export function cpuPercent(s: RawStats): { percent: number; onlineCpus: number } {
  const cur = s.cpu_stats;
  const pre = s.precpu_stats;
  const onlineCpus = cur?.online_cpus || cur?.cpu_usage?.percpu_usage?.length || 0;
  const cpuDelta = (cur?.cpu_usage?.total_usage ?? 0) - (pre?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (cur?.system_cpu_usage ?? 0) - (pre?.system_cpu_usage ?? 0);
  const percent = systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * onlineCpus * 100 : 0;
  return { percent: round2(percent), onlineCpus };
}

/**
 * Memory used without the reclaimable page cache, as the CLI does: usage minus
 * `total_inactive_file` on cgroup v1, minus `inactive_file` on cgroup v2 (older CLIs subtracted
 * `cache` on v1; used here only when neither is reported).
 */
export function memoryUsage(s: RawStats): StatsSummary['memory'] {
  const usage = s.memory_stats?.usage ?? 0;
  const stats = s.memory_stats?.stats ?? {};
  let cache = 0;
  const v1 = stats.total_inactive_file;
  const v2 = stats.inactive_file;
  if (v1 !== undefined && v1 < usage) cache = v1;
  else if (v2 !== undefined && v2 < usage) cache = v2;
  else if (v1 === undefined && v2 === undefined && stats.cache !== undefined && stats.cache < usage)
    cache = stats.cache;
  const used = usage - cache;
  const limit = s.memory_stats?.limit ?? 0;
  return {
    usedBytes: used,
    limitBytes: limit,
    percent: limit > 0 ? round2((used / limit) * 100) : 0,
    cacheBytes: cache,
  };
}

/** Received and sent bytes summed over the container's interfaces; null when it has none (network "none" or "host"). */
export function networkTotals(s: RawStats): StatsSummary['network'] {
  const nets = Object.values(s.networks ?? {});
  if (nets.length === 0) return null;
  return {
    rxBytes: nets.reduce((sum, n) => sum + (n.rx_bytes ?? 0), 0),
    txBytes: nets.reduce((sum, n) => sum + (n.tx_bytes ?? 0), 0),
    interfaces: nets.length,
  };
}

/** Block device bytes read and written (op "Read"/"Write" on cgroup v1, "read"/"write" on v2). */
export function blockIo(s: RawStats): StatsSummary['blockIo'] {
  let readBytes = 0;
  let writeBytes = 0;
  for (const e of s.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = (e.op ?? '').toLowerCase();
    if (op === 'read') readBytes += e.value ?? 0;
    else if (op === 'write') writeBytes += e.value ?? 0;
  }
  return { readBytes, writeBytes };
}

export function summarizeStats(s: RawStats): StatsSummary {
  const cpu = cpuPercent(s);
  return {
    cpuPercent: cpu.percent,
    onlineCpus: cpu.onlineCpus,
    memory: memoryUsage(s),
    network: networkTotals(s),
    blockIo: blockIo(s),
    pids: s.pids_stats?.current ?? null,
  };
}
