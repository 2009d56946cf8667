import { execFile } from 'node:child_process';
import { emptyReading, type GpuReading } from './gpu-reading.js';

/** nvidia-smi answers in well under a second; a hung driver makes it wait for minutes. */
export const NVIDIA_SMI_TIMEOUT_MS = 10_000;
const MAX_OUTPUT_BYTES = 1024 * 1024;
const MIB = 1024 * 1024;

/** The free-text field goes last, so a comma in it cannot shift the others. */
export const GPU_FIELDS = [
  'index',
  'uuid',
  'pci.bus_id',
  'utilization.gpu',
  'utilization.memory',
  'memory.used',
  'memory.total',
  'temperature.gpu',
  'power.draw',
  'power.limit',
  'fan.speed',
  'clocks.gr',
  'pstate',
  'name',
] as const;
export const APP_FIELDS = ['pid', 'gpu_uuid', 'used_memory', 'process_name'] as const;

export type NvidiaSmiResult =
  | {
      ok: true;
      gpus: GpuReading[];
      apps: Array<{
        pid: number;
        gpuUuid: string;
        usedMemoryBytes: number | null;
        processName: string | null;
      }>;
    }
  | { ok: false; missing: boolean; note: string };

function run(binary: string, args: string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      args,
      {
        signal,
        timeout: NVIDIA_SMI_TIMEOUT_MS,
        maxBuffer: MAX_OUTPUT_BYTES,
        env: { ...process.env, LC_ALL: 'C' },
      },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const failed: Error = Object.assign(err, { stdout, stderr });
        reject(failed);
      },
    );
  });
}

/** "[N/A]", "[Not Supported]", "" → null; numbers as numbers. */
const value = (raw: string | undefined): number | null => {
  const s = raw?.trim() ?? '';
  return s === '' || s.startsWith('[') || !/^-?\d+(\.\d+)?$/.test(s) ? null : Number(s);
};
const text = (raw: string | undefined): string | null => {
  const s = raw?.trim() ?? '';
  return s === '' || s.startsWith('[') ? null : s;
};
/** Splits a CSV line into `n` fields; the last one keeps any further commas. */
function fields(line: string, n: number): string[] {
  const parts = line.split(',');
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(',')].map((p) => p.trim());
}

export function parseGpuCsv(csv: string): GpuReading[] {
  return csv
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const [
        index,
        uuid,
        bus,
        util,
        memUtil,
        memUsed,
        memTotal,
        temp,
        power,
        powerLimit,
        fan,
        clock,
        pstate,
        name,
      ] = fields(line, GPU_FIELDS.length);
      const used = value(memUsed);
      const total = value(memTotal);
      return {
        ...emptyReading('nvidia', 'nvidia-smi'),
        index: value(index),
        uuid: text(uuid),
        // nvidia-smi writes 00000000:01:00.0; sysfs and lspci write 0000:01:00.0.
        pciBusId:
          text(bus)
            ?.toLowerCase()
            .replace(/^0000(?=[0-9a-f]{4}:)/, '') ?? null,
        driver: 'nvidia',
        utilizationPercent: value(util),
        memoryUtilizationPercent: value(memUtil),
        memoryUsedBytes: used === null ? null : used * MIB,
        memoryTotalBytes: total === null ? null : total * MIB,
        temperatureC: value(temp),
        powerWatts: value(power),
        powerLimitWatts: value(powerLimit),
        fanPercent: value(fan),
        clockMhz: value(clock),
        performanceState: text(pstate),
        name: text(name),
        processes: [],
      };
    });
}

export function parseAppsCsv(csv: string) {
  return csv
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const [pid, uuid, mem, name] = fields(line, APP_FIELDS.length);
      const used = value(mem);
      return {
        pid: value(pid) ?? -1,
        gpuUuid: text(uuid) ?? '',
        usedMemoryBytes: used === null ? null : used * MIB,
        processName: text(name),
      };
    })
    .filter((a) => a.pid > 0);
}

/** The first line nvidia-smi printed about its failure, bounded. */
function firstLine(s: unknown): string {
  const line = (typeof s === 'string' ? s : '').split('\n').find((l) => l.trim() !== '') ?? '';
  return line.trim().slice(0, 200);
}

/**
 * Runs nvidia-smi twice (GPUs, then compute processes) with execFile, bounded in time and output. Never
 * throws: a missing binary or a failing driver comes back as a note, so the other GPUs are still listed.
 */
export async function queryNvidiaSmi(binary: string, signal?: AbortSignal): Promise<NvidiaSmiResult> {
  let gpuCsv: string;
  try {
    gpuCsv = await run(
      binary,
      [`--query-gpu=${GPU_FIELDS.join(',')}`, '--format=csv,noheader,nounits'],
      signal,
    );
  } catch (err) {
    const e = err as NodeJS.ErrnoException & {
      killed?: boolean;
      signal?: string;
      stdout?: string;
      stderr?: string;
    };
    if (e.code === 'ENOENT')
      return {
        ok: false,
        missing: true,
        note: 'nvidia-smi is not installed (no NVIDIA driver plugin), so NVIDIA GPUs were not asked.',
      };
    if (e.killed)
      return {
        ok: false,
        missing: false,
        note: `nvidia-smi did not answer within ${NVIDIA_SMI_TIMEOUT_MS / 1000} s; the NVIDIA driver may be hung.`,
      };
    const said = firstLine(e.stdout) || firstLine(e.stderr);
    return {
      ok: false,
      missing: false,
      note: `nvidia-smi failed (exit status ${typeof e.code === 'number' ? e.code : String(e.code ?? e.signal)})${said ? `: ${said.replace(/\.$/, '')}` : ''}.`,
    };
  }
  const gpus = parseGpuCsv(gpuCsv);
  let apps: ReturnType<typeof parseAppsCsv> = [];
  try {
    apps = parseAppsCsv(
      await run(
        binary,
        [`--query-compute-apps=${APP_FIELDS.join(',')}`, '--format=csv,noheader,nounits'],
        signal,
      ),
    );
  } catch {
    for (const g of gpus) g.processes = null; // the GPUs are still worth reporting
  }
  return { ok: true, gpus, apps };
}
