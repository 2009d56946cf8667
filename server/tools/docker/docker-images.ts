import type Docker from 'dockerode';
import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { dockerCall } from '../../backends/docker/docker-errors.js';
import { nameMatcher } from '../../backends/docker/name-match.js';
import { containerName, isoFromUnix, shortId } from '../../backends/docker/container-summary.js';

const NONE = '<none>:<none>';

export const dockerImages = defineTool({
  name: 'docker_images',
  title: 'List images',
  description:
    'Lists the Docker images on the server: repository tags, short ID, size, creation time, whether the image is ' +
    'dangling (untagged, typically left behind by an update) and how many containers use it. Use it to find ' +
    'what takes space in the Docker image, or leftovers to clean up. Narrow with `name` (glob with * and ?, or ' +
    "text a tag must contain; case-insensitive). Container counts include only containers the owner's filters " +
    'let you see.',
  toolset: 'docker',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z
    .object({
      name: z
        .string()
        .min(1)
        .max(255)
        .optional()
        .describe(
          'Only images with a tag matching this glob ("linuxserver/*", "*:latest") or containing this text',
        ),
    })
    .strict(),
  output: z.object({
    images: z
      .array(
        z.object({
          id: z.string().describe('Short image ID'),
          repoTags: z
            .array(z.string())
            .describe('e.g. ["lscr.io/linuxserver/plex:latest"]; empty for a dangling image'),
          dangling: z.boolean().describe('True when untagged: usually an old version replaced by an update'),
          sizeBytes: z.number().nonnegative().describe('Image size including shared layers, in bytes'),
          created: z.string().describe('When the image was built (ISO 8601)'),
          containers: z
            .number()
            .int()
            .describe('Visible containers (running or stopped) created from this image'),
        }),
      )
      .describe('Largest first'),
    count: z.number().int(),
    totalSizeBytes: z
      .number()
      .nonnegative()
      .describe('Sum of the listed sizes (shared layers counted once per image, so it overstates disk use)'),
  }),
  run: async ({ name }, ctx) => {
    const matches = name === undefined ? null : nameMatcher(name);
    const docker = await ctx.deps.docker();
    const [images, containers] = await Promise.all([
      dockerCall('Listing images', () =>
        docker.listImages({ abortSignal: ctx.signal } as Docker.ListImagesOptions),
      ),
      dockerCall('Listing containers', () =>
        docker.listContainers({ all: true, abortSignal: ctx.signal } as Docker.ContainerListOptions),
      ),
    ]);
    const users = new Map<string, number>();
    for (const c of containers) {
      if (ctx.visible('container', containerName(c.Names, c.Id)))
        users.set(c.ImageID, (users.get(c.ImageID) ?? 0) + 1);
    }
    const out = images
      .map((img) => {
        const repoTags = (img.RepoTags ?? []).filter((t) => t !== NONE);
        return {
          id: shortId(img.Id),
          repoTags,
          dangling: repoTags.length === 0,
          sizeBytes: img.Size,
          created: isoFromUnix(img.Created),
          containers: users.get(img.Id) ?? 0,
        };
      })
      .filter((img) => !matches || img.repoTags.some((t) => matches(t) || matches(t.replace(/:[^:/]+$/, ''))))
      .sort((a, b) => b.sizeBytes - a.sizeBytes || a.id.localeCompare(b.id));
    return { images: out, count: out.length, totalSizeBytes: out.reduce((s, i) => s + i.sizeBytes, 0) };
  },
});
