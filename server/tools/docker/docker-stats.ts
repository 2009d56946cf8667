import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { containerRef } from './shared/container-ref.js';
import { dockerCall } from '../../backends/docker/docker-errors.js';
import { inspectVisibleContainer } from '../../backends/docker/inspect-container.js';
import { isoOrNull, shortId } from '../../backends/docker/container-summary.js';
import { summarizeStats, type RawStats } from '../../backends/docker/stats-math.js';
import { ConflictError } from '../../errors/conflict-error.js';

const bytes = (what: string) => z.number().nonnegative().describe(`${what}, in bytes`);

export const dockerStats = defineTool({
  name: 'docker_stats',
  title: 'Container resource usage',
  description:
    "One sample of a running container's resource use, as `docker stats` shows it: CPU % (100 % = one full " +
    'core, so up to cores × 100), memory used without reclaimable page cache, its limit and %, network bytes ' +
    'received/sent, block I/O bytes read/written and the process count. Network and block I/O are totals since ' +
    'the container started. Takes about one second (Docker measures CPU over that interval). Use it for "what ' +
    'is using my CPU/RAM?" on one container; docker_list shows which are running. Fails for a container that is ' +
    'not running.',
  toolset: 'docker',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z.object({ id: containerRef }).strict(),
  output: z.object({
    container: z.string().describe('Container name'),
    id: z.string().describe('Short container ID'),
    sampledAt: z.string().nullable().describe('When Docker took the sample (ISO 8601)'),
    cpuPercent: z.number().nonnegative().describe('CPU use over the ~1 s sample; 100 = one core fully busy'),
    onlineCpus: z.number().int().describe('CPUs the container can use'),
    memory: z.object({
      usedBytes: bytes('Memory in use, without the reclaimable page cache'),
      limitBytes: bytes("Memory limit; the host's total memory when the container has no limit"),
      percent: z.number().nonnegative().describe('usedBytes / limitBytes × 100'),
      cacheBytes: bytes('Inactive page cache left out of usedBytes'),
    }),
    network: z
      .object({
        rxBytes: bytes('Received since start'),
        txBytes: bytes('Sent since start'),
        interfaces: z.number().int(),
      })
      .nullable()
      .describe('Summed over its interfaces; null when it has its own none (network mode "none" or "host")'),
    blockIo: z.object({
      readBytes: bytes('Read from block devices since start'),
      writeBytes: bytes('Written since start'),
    }),
    pids: z.number().int().nullable().describe('Processes and threads running in it'),
  }),
  target: ({ id }) => ({ kind: 'container', ref: id }),
  run: async ({ id }, ctx) => {
    const docker = await ctx.deps.docker();
    const { info, name } = await inspectVisibleContainer(
      docker,
      id,
      (n) => ctx.visible('container', n),
      ctx.signal,
    );
    if (!info.State.Running) {
      throw new ConflictError(
        `container "${name}" is not running (state: ${info.State.Status}), so it has no resource usage to sample. Start it first, or use docker_inspect for its last exit code and docker_logs for why it stopped.`,
      );
    }
    const raw = (await dockerCall(`Sampling stats of container "${name}"`, () =>
      docker.getContainer(info.Id).stats({ stream: false, abortSignal: ctx.signal } as { stream: false }),
    )) as RawStats;
    return { container: name, id: shortId(info.Id), sampledAt: isoOrNull(raw.read), ...summarizeStats(raw) };
  },
});
