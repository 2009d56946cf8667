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
