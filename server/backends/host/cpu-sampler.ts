import { join } from 'node:path';
import { readTextOrNull } from './procfs.js';

/** Jiffies of one `cpu` line of /proc/stat. */
interface Ticks {
  total: number;
  idle: number;
  iowait: number;
}

interface StatSample {
  aggregate: Ticks;
  cores: Map<number, Ticks>;
}

export interface CpuUsage {
  logicalCores: number;
  usagePercent: number;
  iowaitPercent: number;
  perCore: Array<{ core: number; usagePercent: number }>;
  basis: 'interval' | 'since_boot';
  intervalSeconds: number;
}

export interface CpuSampler {
  /** Usage since the previous sample, or since boot when no CPU time has passed (see `basis`). */
  read(signal?: AbortSignal): Promise<CpuUsage | null>;
}

/** USER_HZ: /proc/stat counts in 1/100 s on every mainstream Linux build (x86, arm64). */
const USER_HZ = 100;
/** The baseline only moves forward once it is this old, so rapid calls still measure a useful window. */
const MIN_BASELINE_SECONDS = 1;

function parseTicks(fields: string[]): Ticks | null {
  const n = fields.map(Number);
  if (n.length < 4 || n.some((x) => !Number.isFinite(x))) return null;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = n;
  // guest/guest_nice (fields 9–10) are already included in user/nice, so they are left out of the total.
  return { total: user + nice + system + idle + iowait + irq + softirq + steal, idle: idle + iowait, iowait };
}

/** Parses /proc/stat's cpu lines; null when the aggregate line is missing. */
export function parseProcStat(text: string): StatSample | null {
  let aggregate: Ticks | null = null;
  const cores = new Map<number, Ticks>();
  for (const line of text.split('\n')) {
    const m = /^cpu(\d*)\s+(.+)$/.exec(line.trim());
    if (!m) continue;
    const ticks = parseTicks((m[2] ?? '').trim().split(/\s+/));
    if (!ticks) continue;
    if (m[1] === '') aggregate = ticks;
    else cores.set(Number(m[1]), ticks);
  }
  return aggregate ? { aggregate, cores } : null;
}

const pct = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0);
const busy = (t: Ticks) => t.total - t.idle;
const minus = (a: Ticks, b: Ticks): Ticks => ({
  total: a.total - b.total,
  idle: a.idle - b.idle,
  iowait: a.iowait - b.iowait,
});

/**
 * CPU usage from /proc/stat deltas without sleeping on a call: the sampler takes a baseline as soon as
 * it is created and every call compares against the latest baseline. When no ticks elapsed (a static
 * fixture, or two calls inside one jiffy) it falls back to the average since boot and says so in `basis`.
 */
export function createCpuSampler(procRoot: string): CpuSampler {
  const statPath = join(procRoot, 'stat');
  const sample = async (signal?: AbortSignal) => {
    const t = await readTextOrNull(statPath, signal);
    return t === null ? null : parseProcStat(t);
  };
  let baseline: Promise<StatSample | null> = sample().catch(() => null);

  return {
    async read(signal) {
      const prev = await baseline;
      const cur = await sample(signal);
      if (!cur) return null;
      const cores = Math.max(1, cur.cores.size);
      const elapsed = prev ? cur.aggregate.total - prev.aggregate.total : 0;
      const useInterval = prev !== null && elapsed > 0;
      if (!prev || elapsed < 0 || (useInterval && elapsed / cores / USER_HZ >= MIN_BASELINE_SECONDS)) {
        baseline = Promise.resolve(cur);
      }
      const agg = useInterval && prev ? minus(cur.aggregate, prev.aggregate) : cur.aggregate;
      const perCore = [...cur.cores.entries()]
        .sort(([a], [b]) => a - b)
        .map(([core, t]) => {
          const before = useInterval ? prev?.cores.get(core) : undefined;
          const d = before && t.total - before.total > 0 ? minus(t, before) : t;
          return { core, usagePercent: pct(busy(d), d.total) };
        });
      return {
        logicalCores: cur.cores.size,
        usagePercent: pct(busy(agg), agg.total),
        iowaitPercent: pct(agg.iowait, agg.total),
        perCore,
        basis: useInterval ? 'interval' : 'since_boot',
        intervalSeconds: Math.round((agg.total / cores / USER_HZ) * 100) / 100,
      };
    },
  };
}
