import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { increasingProgress } from './shared/increasing-progress.js';
import { parseImageReference, type ImageReference } from '../../backends/docker/image-reference.js';
import { imageReferenceSchema } from './shared/container-request.js';
import { dockerCall } from '../../backends/docker/docker-errors.js';
import { pullImage } from '../../backends/docker/pull-image.js';

/** Parses a reference the input schema already validated. */
function mustParse(ref: string): ImageReference {
  const parsed = parseImageReference(ref);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.ref;
}

export const dockerPull = defineTool({
  name: 'docker_pull',
  title: 'Pull an image',
  description:
    'Downloads an image (or a newer version of it) from its registry, reporting progress (percent and bytes ' +
    'across layers) while it runs; cancelling the call stops the download. Takes a reference such as ' +
    '"nginx:1.27", "lscr.io/linuxserver/plex:latest" or "registry.lan:5000/app@sha256:…" (no tag means ' +
    ':latest). Says clearly when the registry cannot be reached (an offline server) or the image does not ' +
    'exist. Needed before docker_create, which never downloads.',
  toolset: 'docker',
  scope: 'operate',
  confirm: 'none',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  timeoutMs: 30 * 60_000,
  input: z
    .object({
      image: imageReferenceSchema.describe('Image reference: [registry[:port]/]name[:tag][@sha256:digest]'),
      platform: z
        .string()
        .regex(/^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/, 'must be os/arch[/variant], such as linux/arm64')
        .optional()
        .describe("Platform to pull, when not the server's own (e.g. linux/arm64)"),
    })
    .strict(),
  output: z.object({
    image: z.string().describe('The reference pulled (":latest" added when no tag was given)'),
    registry: z.string(),
    status: z.enum(['downloaded', 'up_to_date']),
    id: z.string().describe('Image ID'),
    digest: z.string().nullable().describe('Registry digest of what was pulled'),
    layers: z.number().int(),
    downloadedBytes: z.number(),
    sizeBytes: z.number().describe('Size of the image on the server'),
  }),
  run: async ({ image, platform }, ctx) => {
    const ref = mustParse(image);
    const docker = await ctx.deps.docker();
    const report = increasingProgress(ctx.progress);
    report(0, `Pulling ${ref.reference} from ${ref.registry}`);
    const result = await pullImage(docker, ref, {
      signal: ctx.signal,
      ...(platform ? { platform } : {}),
      onProgress: (s) => report(s.percent, s.message),
    });
    const info = await dockerCall(`Inspecting ${ref.reference}`, () =>
      docker.getImage(ref.reference).inspect(),
    );
    return {
      image: ref.reference,
      registry: ref.registry,
      status: result.status,
      id: info.Id,
      digest: result.digest,
      layers: result.snapshot.layers,
      downloadedBytes: result.snapshot.downloadedBytes,
      sizeBytes: info.Size,
    };
  },
});
