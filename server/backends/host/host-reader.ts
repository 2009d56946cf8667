import { buildArrayStatus, type ArrayStatus } from './array-status.js';
import { createCpuSampler, type CpuUsage } from './cpu-sampler.js';
import { readDisks, type DisksReport } from './disks-ini.js';
import { createEmhttpFiles } from './emhttp-files.js';
import { readHwmon, type FanReading, type TemperatureReading } from './hwmon.js';
import {
  readCpuModel,
  readHostname,
  readKernelRelease,
  readLoadAverage,
  readMemory,
  readUptime,
  type LoadAverage,
  type MemoryInfo,
} from './procfs.js';
import { readShares, type ShareInfo } from './shares-ini.js';
import { readVar } from './var-ini.js';
import { reuseResult } from '../../util/reuse-result.js';

/** How long one overview reading is reused. */
export const OVERVIEW_MAX_AGE_MS = 1000;

/** Where the host's state lives. Production: /proc, /sys, /var/local/emhttp; tests: testdata/. */
export interface HostRoots {
  procRoot: string;
  sysRoot: string;
  emhttpRoot: string;
}

/** Unraid identity from var.ini; null on a host without emhttp state. */
export interface UnraidIdentity {
  version: string | null;
  serverName: string | null;
  description: string | null;
  arrayState: string | null;
  filesystemState: string | null;
}

export interface HostOverview {
  hostname: string | null;
  kernel: string | null;
  uptimeSeconds: number | null;
  unraid: UnraidIdentity | null;
  load: LoadAverage | null;
  cpu: (CpuUsage & { model: string | null }) | null;
  memory: MemoryInfo | null;
  temperatures: TemperatureReading[];
  fans: FanReading[];
}

/**
 * Read-only view of the host for the `system` tools. All reads are async file reads under the given
 * roots; nothing here spawns a process or touches a block device, so no call can wake a sleeping disk.
 * The three Unraid methods throw BackendUnavailableError when emhttp's state files are missing.
 */
export interface HostReader {
  /** Works on any Linux host; Unraid fields are null without emhttp state. At most 1 s old. */
  overview(): Promise<HostOverview>;
  /** Needs var.ini; disks.ini adds slot counts when present. */
  arrayStatus(signal?: AbortSignal): Promise<ArrayStatus>;
  /** Needs var.ini and disks.ini. */
  disks(signal?: AbortSignal): Promise<DisksReport>;
  /** Needs var.ini and shares.ini. */
  shares(signal?: AbortSignal): Promise<ShareInfo[]>;
}

/** Builds the reader and primes the CPU sampler, so the first overview already has a baseline. */
export function createHostReader(roots: HostRoots): HostReader {
  const { procRoot, sysRoot } = roots;
  const files = createEmhttpFiles(roots.emhttpRoot);
  const cpu = createCpuSampler(procRoot);

  /** var.ini is read first by every Unraid call: its absence is the clearest "not Unraid" signal. */
  const requireVar = async (signal?: AbortSignal) => readVar(await files.require('var.ini', signal));

  const readOverview = async (): Promise<HostOverview> => {
    const [hostname, kernel, uptimeSeconds, load, cpuUsage, model, memory, hw, varIni] = await Promise.all([
      readHostname(procRoot),
      readKernelRelease(procRoot),
      readUptime(procRoot),
      readLoadAverage(procRoot),
      cpu.read(),
      readCpuModel(procRoot),
      readMemory(procRoot),
      readHwmon(sysRoot),
      files.read('var.ini').catch(() => null),
    ]);
    const v = varIni ? readVar(varIni) : null;
    return {
      hostname,
      kernel,
      uptimeSeconds,
      unraid: v && {
        version: v.version,
        serverName: v.serverName,
        description: v.comment,
        arrayState: v.mdState,
        filesystemState: v.fsState,
      },
      load,
      cpu: cpuUsage && { model, ...cpuUsage },
      memory,
      temperatures: hw.temperatures,
      fans: hw.fans,
    };
  };

  // Health a second old is as good as new; 50 clients polling share one set of file reads.
  const overview = reuseResult(readOverview, OVERVIEW_MAX_AGE_MS);

  return {
    // The shared read is not tied to one caller's signal: it is a few small local file reads.
    overview: () => overview(),
    async arrayStatus(signal) {
      const v = await requireVar(signal);
      const disksIni = await files.read('disks.ini', signal);
      return buildArrayStatus(v, disksIni ? readDisks(disksIni) : null);
    },
    async disks(signal) {
      await requireVar(signal);
      return readDisks(await files.require('disks.ini', signal));
    },
    async shares(signal) {
      await requireVar(signal);
      return readShares(await files.require('shares.ini', signal));
    },
  };
}
