import type Docker from 'dockerode';

/** One part of what a container runs, and where it comes from. */
export interface CommandPart {
  argv: string[];
  from: 'request' | 'image';
}

/** What a new container will run: its entrypoint, then its command as the entrypoint's arguments. */
export interface EffectiveCommand {
  entrypoint: CommandPart;
  command: CommandPart;
}

/** An image's own entrypoint and command, as image inspect reports them. */
export interface ImageCommand {
  Entrypoint?: string | string[] | null;
  Cmd?: string | string[] | null;
}

/** Docker stores a shell-form ENTRYPOINT/CMD as a list; older images may hold a plain string. */
const argv = (v: string | string[] | null | undefined): string[] =>
  v == null ? [] : Array.isArray(v) ? v : [v];

/**
 * Docker's rule for merging a create request with its image (moby daemon `merge`): without an
 * entrypoint in the request, the image's command fills in an empty command, and the image's
 * entrypoint is used unless the request sent one (an empty list clears it). A request that sets an
 * entrypoint runs only its own command after it — the image's command is dropped.
 */
export function effectiveCommand(
  req: { entrypoint?: string[]; command?: string[] },
  image: ImageCommand,
): EffectiveCommand {
  const own = (v: string[] | undefined): CommandPart => ({ argv: v ?? [], from: 'request' });
  if (req.entrypoint?.length) return { entrypoint: own(req.entrypoint), command: own(req.command) };
  return {
    entrypoint: req.entrypoint ? own(req.entrypoint) : { argv: argv(image.Entrypoint), from: 'image' },
    command: req.command?.length ? own(req.command) : { argv: argv(image.Cmd), from: 'image' },
  };
}

/** The image's own entrypoint and command; null when the image is not on the server. Reads only. */
export async function readImageCommand(docker: Docker, image: string): Promise<ImageCommand | null> {
  // No abort signal: dockerode's image inspect would send it as a query parameter; the call is short.
  const info = await docker
    .getImage(image)
    .inspect()
    .catch((err: { statusCode?: number }) => {
      if (err.statusCode === 404) return null;
      throw err;
    });
  return info ? { Entrypoint: info.Config?.Entrypoint, Cmd: info.Config?.Cmd } : null;
}
