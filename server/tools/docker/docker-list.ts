import type Docker from 'dockerode';
import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { portSchema, unraidSchema } from './shared/container-schemas.js';
import { dockerCall } from '../../backends/docker/docker-errors.js';
import { nameMatcher } from '../../backends/docker/name-match.js';
import {
  containerName,
  isoFromUnix,
  portsFromList,
  shortId,
  unraidLabels,
} from '../../backends/docker/container-summary.js';
import { uptimeFromStatus } from '../../backends/docker/status-uptime.js';
import { protectionSchema } from '../protection-schema.js';

export const CONTAINER_STATES = ['running', 'exited', 'paused', 'created', 'restarting', 'dead'] as const;

const container = z.object({
  name: z.string(),
  id: z.string().describe('Short (12-character) container ID'),
  image: z
    .string()
    .describe('Image the container was created from, as given (e.g. "lscr.io/linuxserver/plex:latest")'),
  state: z.string().describe('running, exited, paused, created, restarting, removing or dead'),
  status: z
    .string()
    .describe('Docker\'s status text, e.g. "Up 3 hours (healthy)", "Exited (137) 2 days ago"'),
  created: z.string().describe('When the container was created (ISO 8601)'),
  uptimeSeconds: z
    .number()
    .int()
    .nullable()
    .describe(
      'Seconds since it started, as precise as Docker\'s status text ("Up 3 hours"); null unless running. docker_inspect has the exact start time',
    ),
  ports: z.array(portSchema),
  networkMode: z
    .string()
    .nullable()
    .describe('"bridge", "host", "none", a custom network (e.g. "br0") or "container:<name>"'),
  unraid: unraidSchema,
  protected: protectionSchema('container'),
});

export const dockerList = defineTool({
  name: 'docker_list',
  title: 'List containers',
  description:
    'Lists Docker containers with their state, status text, uptime, image, published ports and Unraid WebUI/icon ' +
    'labels. Start here for "what is running?" or to find a container\'s exact name before calling other docker_* ' +
    'tools. By default all containers are listed, stopped ones included; set all=false for running ones only. ' +
    'Narrow with `name` (glob: "*" any text, "?" one character; plain text matches names containing it; ' +
    'case-insensitive) and `state`. Containers the owner has hidden with filters are never listed; ' +
    '`hiddenByFilters` says how many exist (without names). Containers the owner has protected are marked ' +
    '(`protected`: why, by label or protected list): tools that stop, change or remove them will refuse. ' +
    "For one container's full configuration use docker_inspect.",
  toolset: 'docker',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z
    .object({
      all: z
        .boolean()
        .default(true)
        .describe('Include stopped containers (default true); false lists running containers only'),
      name: z
        .string()
        .min(1)
        .max(128)
        .optional()
        .describe('Name filter: glob with * and ?, or plain text the name must contain; case-insensitive'),
      state: z.enum(CONTAINER_STATES).optional().describe('Only containers in this state'),
    })
    .strict(),
  output: z.object({
    containers: z.array(container).describe('Sorted by name'),
    count: z.number().int().describe('Number of containers listed'),
    hiddenByFilters: z
      .number()
      .int()
      .describe(
        "Containers left out because the owner's Docker filters hide them (counted before the name and state filters)",
      ),
  }),
  run: async ({ all, name, state }, ctx) => {
    const matches = name === undefined ? () => true : nameMatcher(name);
    const docker = await ctx.deps.docker();
    const list = await dockerCall('Listing containers', () =>
      docker.listContainers({ all, abortSignal: ctx.signal } as Docker.ContainerListOptions),
    );
    let hidden = 0;
    const shown = list.filter((c) => {
      const n = containerName(c.Names, c.Id);
      if (!ctx.visible('container', n)) {
        hidden++;
        return false;
      }
      return matches(n) && (state === undefined || c.State === state);
    });
    // One API call per list: uptime comes from Docker's status text, not an inspect per container.
    const containers = shown
      .map((c) => ({
        name: containerName(c.Names, c.Id),
        id: shortId(c.Id),
        image: c.Image,
        state: c.State,
        status: c.Status,
        created: isoFromUnix(c.Created),
        uptimeSeconds: c.State === 'running' ? uptimeFromStatus(c.Status) : null,
        ports: portsFromList(c.Ports),
        networkMode: c.HostConfig?.NetworkMode ?? null,
        unraid: unraidLabels(c.Labels),
        protected: ctx.protectedBy('container', containerName(c.Names, c.Id), c.Labels ?? {}),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return { containers, count: containers.length, hiddenByFilters: hidden };
  },
});
