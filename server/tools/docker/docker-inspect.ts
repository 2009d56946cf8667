import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { containerRef } from './shared/container-ref.js';
import { portSchema, unraidSchema } from './shared/container-schemas.js';
import { inspectVisibleContainer } from '../../backends/docker/inspect-container.js';
import { containerDetail, summarizeContainer } from '../../backends/docker/container-details.js';

const bytesOrNull = (what: string) => z.number().nullable().describe(`${what} in bytes; null when unlimited`);
const section = (what: string) => z.record(z.string(), z.unknown()).describe(what);

export const dockerInspect = defineTool({
  name: 'docker_inspect',
  title: 'Inspect a container',
  description:
    'Configuration and state of one container: image, state (exit code, error, OOM kill, health check), restart ' +
    'policy, start time and uptime, published ports, mounts (host source → container destination, read-write or ' +
    'not), networks with IP addresses, environment variables, labels, resource limits and Unraid labels. Use it ' +
    'to answer "how is X set up?" or "why did X stop?" (then docker_logs). Values of secret-looking variables and ' +
    'labels (passwords, tokens, keys) are always replaced by "[REDACTED]". The compact summary is usually enough; ' +
    "detail=true adds Docker's own Config, HostConfig, State, NetworkSettings and Mounts sections (bounded, " +
    'still redacted) for questions the summary does not answer (capabilities, devices, healthcheck command, …).',
  toolset: 'docker',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z
    .object({
      id: containerRef,
      detail: z
        .boolean()
        .default(false)
        .describe("Also return Docker's fuller inspect sections (larger; default false)"),
    })
    .strict(),
  output: z.object({
    id: z.string().describe('Full container ID'),
    name: z.string(),
    image: z.string().describe('Image reference the container was created from'),
    imageId: z.string().describe('Short ID of the image it runs'),
    created: z.string().nullable(),
    command: z
      .array(z.string())
      .describe('Process started in the container: entrypoint/command and its arguments'),
    state: z.object({
      status: z.string().describe('created, running, paused, restarting, removing, exited or dead'),
      running: z.boolean(),
      paused: z.boolean(),
      restarting: z.boolean(),
      oomKilled: z
        .boolean()
        .describe('True when the kernel killed it for running out of memory (exit code 137)'),
      exitCode: z
        .number()
        .int()
        .describe('Exit code of the last run (0 ok; 137 killed, e.g. by stop timeout or OOM; 143 SIGTERM)'),
      error: z
        .string()
        .nullable()
        .describe("Docker's error from the last start attempt, e.g. a missing bind-mount source"),
      startedAt: z.string().nullable(),
      finishedAt: z.string().nullable(),
      uptimeSeconds: z.number().int().nullable().describe('Seconds since it started; null unless running'),
      health: z
        .object({
          status: z.string().describe('starting, healthy or unhealthy'),
          failingStreak: z.number().int(),
          lastCheck: z
            .object({
              exitCode: z.number().int(),
              output: z.string().describe('Output of the last check (cut at 500 characters)'),
              at: z.string().nullable(),
            })
            .nullable(),
        })
        .nullable()
        .describe('Health check status; null when the image defines no health check'),
    }),
    restartPolicy: z.object({
      name: z.string().describe('no, always, unless-stopped or on-failure'),
      maximumRetryCount: z.number().int(),
    }),
    restartCount: z
      .number()
      .int()
      .describe("Restarts by Docker's restart policy since the container was last started by hand"),
    ports: z.array(portSchema).describe('Live bindings when running, else the configured ones'),
    networkMode: z.string(),
    networks: z.array(
      z.object({
        name: z.string(),
        ipAddress: z.string().nullable(),
        prefixLength: z.number().int().nullable(),
        gateway: z.string().nullable(),
        ipv6Address: z.string().nullable(),
        macAddress: z.string().nullable(),
        aliases: z.array(z.string()),
      }),
    ),
    mounts: z.array(
      z.object({
        type: z.string().describe('bind, volume or tmpfs'),
        source: z.string().describe('Host path (for Unraid shares under /mnt/user/...) or volume path'),
        destination: z.string().describe('Path inside the container'),
        rw: z.boolean().describe('False for read-only mounts'),
        name: z.string().nullable().describe('Volume name for named volumes'),
      }),
    ),
    env: z.array(
      z.object({ name: z.string(), value: z.string().describe('"[REDACTED]" for secrets; long values cut') }),
    ),
    labels: z.record(z.string(), z.string()),
    resources: z.object({
      memoryBytes: bytesOrNull('Memory limit'),
      memoryReservationBytes: bytesOrNull('Soft memory limit'),
      memorySwapBytes: bytesOrNull('Memory + swap limit'),
      cpus: z.number().nullable().describe('CPU limit in cores (e.g. 1.5); null when unlimited'),
      cpuShares: z.number().nullable().describe('Relative CPU weight; null when default'),
      cpusetCpus: z
        .string()
        .nullable()
        .describe('CPUs it may run on (e.g. "2-3,6"), Unraid\'s CPU pinning; null when any'),
      pidsLimit: z.number().nullable().describe('Most processes it may run; null when unlimited'),
    }),
    privileged: z.boolean(),
    tty: z.boolean(),
    logDriver: z.string().nullable().describe('Logging driver (json-file, local, syslog, none, …)'),
    unraid: unraidSchema,
    detail: z
      .object({
        Path: z.string(),
        Args: z.array(z.string()),
        RestartCount: z.number().int(),
        Platform: z.string(),
        Driver: z.string(),
        State: section('Docker State, with the health-check log cut to the last 3 checks'),
        Config: section('Docker Config (Env and Labels redacted)'),
        HostConfig: section(
          'Docker HostConfig: binds, devices, capabilities, security options, limits, restart policy, log config',
        ),
        NetworkSettings: z.object({
          Ports: section('Port bindings by "port/proto"'),
          Networks: section('Endpoints by network name'),
        }),
        Mounts: z.array(section('One mount')),
      })
      .optional()
      .describe('Only with detail=true. Strings over 1000 characters and lists over 100 items are cut'),
  }),
  target: ({ id }) => ({ kind: 'container', ref: id }),
  run: async ({ id, detail }, ctx) => {
    const docker = await ctx.deps.docker();
    const { info, name } = await inspectVisibleContainer(
      docker,
      id,
      (n) => ctx.visible('container', n),
      ctx.signal,
    );
    const summary = summarizeContainer(info, name, Date.now());
    return detail ? { ...summary, detail: containerDetail(info) } : summary;
  },
});
