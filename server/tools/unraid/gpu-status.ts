import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { queryNvidiaSmi } from '../../backends/gpu/nvidia-smi.js';
import { readDrmGpus } from '../../backends/gpu/drm-gpus.js';
import { containerOfPid } from '../../backends/gpu/process-container.js';
import { containerNames } from '../../backends/gpu/container-names.js';
import type { GpuReading } from '../../backends/gpu/gpu-reading.js';
import { unraidLayout } from './shared/unraid-layout.js';

const gpu = z.object({
  vendor: z.enum(['nvidia', 'amd', 'intel', 'other']),
  source: z.enum(['nvidia-smi', 'sysfs']).describe('nvidia-smi, or the kernel DRM sysfs (AMD, Intel)'),
  index: z.number().int().nullable().describe('nvidia-smi index, or N of /sys/class/drm/cardN'),
  name: z.string().nullable(),
  uuid: z.string().nullable(),
  pciBusId: z.string().nullable(),
  driver: z.string().nullable(),
  utilizationPercent: z.number().nullable(),
  memoryUtilizationPercent: z.number().nullable(),
  memoryUsedBytes: z.number().nullable(),
  memoryTotalBytes: z.number().nullable(),
  temperatureC: z.number().nullable(),
  powerWatts: z.number().nullable(),
  powerLimitWatts: z.number().nullable(),
  fanPercent: z.number().nullable(),
  fanRpm: z.number().nullable(),
  clockMhz: z.number().nullable().describe('Graphics clock'),
  performanceState: z.string().nullable().describe('NVIDIA P-state, or amdgpu performance level'),
  processes: z
    .array(
      z.object({
        pid: z.number().int(),
        processName: z.string().nullable(),
        usedMemoryBytes: z.number().nullable(),
        containerId: z
          .string()
          .nullable()
          .describe('The Docker container running the process; null on the host'),
        containerName: z.string().nullable(),
      }),
    )
    .nullable()
    .describe('Compute processes on this GPU (NVIDIA only; null where not known)'),
});

const pct = (n: number | null) => (n === null ? null : `${n}%`);

export const gpuStatus = defineTool({
  name: 'gpu_status',
  title: 'GPU status',
  description:
    'GPUs in this server and what they are doing: NVIDIA through nvidia-smi (utilisation, memory, temperature, ' +
    'power, fan, and the compute processes with the Docker container each runs in), AMD and Intel from the ' +
    "kernel's /sys/class/drm (amdgpu: busy %, VRAM, sensors; Intel: clock). No GPU gives an empty list; a missing " +
    'or failing nvidia-smi is a note, not a failure.',
  toolset: 'unraid',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z.object({}).strict(),
  output: z.object({ gpus: z.array(gpu), notes: z.array(z.string()), message: z.string() }),
  run: async (_args, ctx) => {
    const layout = unraidLayout(ctx);
    const [nv, drm] = await Promise.all([
      queryNvidiaSmi(layout.nvidiaSmi, ctx.signal),
      readDrmGpus(layout.sysRoot),
    ]);
    const notes: string[] = [];
    const gpus: GpuReading[] = [];
    if (nv.ok) {
      gpus.push(...nv.gpus);
      const containerIds = new Map<number, string | null>();
      for (const app of nv.apps)
        containerIds.set(app.pid, await containerOfPid(layout.procRoot, app.pid, ctx.signal));
      const ids = [...new Set([...containerIds.values()].filter((id): id is string => id !== null))];
      let names = new Map<string, string>();
      if (ids.length > 0) {
        try {
          names = await containerNames(await ctx.deps.docker(), ids);
        } catch {
          notes.push('Docker did not answer, so containers are given by id only.');
        }
      }
      for (const app of nv.apps) {
        const g = gpus.find((x) => x.uuid === app.gpuUuid);
        if (!g?.processes) continue;
        const containerId = containerIds.get(app.pid) ?? null;
        g.processes.push({
          pid: app.pid,
          processName: app.processName,
          usedMemoryBytes: app.usedMemoryBytes,
          containerId,
          containerName: containerId ? (names.get(containerId) ?? null) : null,
        });
      }
      if (nv.gpus.some((g) => g.processes === null))
        notes.push('nvidia-smi listed the GPUs but failed to list their processes.');
    } else notes.push(nv.note);
    // NVIDIA cards come from nvidia-smi when it answers; sysfs lists them only when it does not.
    for (const d of drm) if (!(d.vendor === 'nvidia' && nv.ok)) gpus.push(d);

    const summary = gpus.map((g) => {
      const label =
        g.name && g.source === 'nvidia-smi'
          ? g.name
          : `${g.vendor.toUpperCase()} ${g.name ?? 'GPU'} (${g.driver ?? 'no driver'})`;
      const parts = [
        pct(g.utilizationPercent) && `${pct(g.utilizationPercent)} busy`,
        g.temperatureC !== null && `${g.temperatureC} °C`,
        g.powerWatts !== null && `${g.powerWatts} W`,
        g.processes?.length ? `${g.processes.length} process(es)` : null,
      ].filter(Boolean);
      return `${label}${parts.length ? `: ${parts.join(', ')}` : ''}`;
    });
    const message = gpus.length
      ? `${gpus.length} GPU(s): ${summary.join('; ')}.${notes.length ? ` ${notes.join(' ')}` : ''}`
      : `No GPU found.${notes.length ? ` ${notes.join(' ')}` : ''}`;
    return { gpus, notes, message };
  },
});
