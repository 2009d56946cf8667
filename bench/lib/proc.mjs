// Process memory and machine facts from /proc (Linux only).
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';

/** VmRSS of a process in KiB, or null once it is gone. */
export function readRssKb(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Samples VmRSS every `everyMs` until stop(); stop() returns { peakKb, samples }. */
export function startRssSampler(pid, everyMs = 100) {
  let peakKb = readRssKb(pid) ?? 0;
  let samples = 1;
  const timer = setInterval(() => {
    const kb = readRssKb(pid);
    if (kb === null) return;
    samples++;
    if (kb > peakKb) peakKb = kb;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const kb = readRssKb(pid);
      if (kb !== null && kb > peakKb) peakKb = kb;
      return { peakKb, samples };
    },
  };
}

/** CPU time (user + system) a process has used so far, in ms; null once it is gone. */
export function readCpuMs(pid) {
  try {
    // Fields after the ")" that closes the command name; utime and stime are fields 14 and 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return null;
  }
}

/** USER_HZ, 100 on every mainstream Linux build. */
const CLOCK_TICKS_PER_S = 100;

/**
 * CPU used during a time window by a server process and by this process (the load generator).
 * start()/stop() bracket the window; stop() returns { serverCpuMs, generatorCpuPct }.
 */
export function cpuMeter(pid) {
  let server0 = null;
  let self0 = null;
  let t0 = 0;
  return {
    start() {
      server0 = readCpuMs(pid);
      self0 = process.cpuUsage();
      t0 = performance.now();
    },
    stop() {
      if (self0 === null) return { serverCpuMs: null, generatorCpuPct: null };
      const server1 = readCpuMs(pid);
      const self = process.cpuUsage(self0);
      const wallMs = performance.now() - t0;
      return {
        serverCpuMs: server0 !== null && server1 !== null ? server1 - server0 : null,
        generatorCpuPct: (((self.user + self.system) / 1000) * 100) / wallMs,
      };
    },
  };
}

export function machineInfo() {
  const list = cpus();
  return {
    cpuModel: list[0]?.model ?? 'unknown',
    cores: list.length,
    node: process.version,
    platform: `${process.platform} ${release()}`,
    totalMemMB: Math.round(totalmem() / 2 ** 20),
    loadAvgAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/**
 * A process's resident memory by kind, in KiB, from /proc/PID/smaps: `malloc` is the C heap of the
 * main thread ([heap], glibc's main arena), `files` the mapped binary and libraries, `anon` the rest
 * (V8's heap, other threads' malloc arenas, stacks). Null once the process is gone.
 */
export function readRssByKind(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return null;
  }
  const kb = { malloc: 0, anon: 0, files: 0 };
  let kind = 'anon';
  for (const line of text.split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const name = header[1];
      kind = name === '[heap]' ? 'malloc' : name.startsWith('/') ? 'files' : 'anon';
    } else if (line.startsWith('Rss:')) {
      kb[kind] += Number(line.split(/\s+/)[1]);
    }
  }
  return kb;
}
