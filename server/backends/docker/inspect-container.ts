import type Docker from 'dockerode';
import { NotFoundError } from '../../errors/not-found-error.js';
import { dockerCall } from './docker-errors.js';
import { containerName } from './container-summary.js';

/**
 * Inspects the container a tool was given. The wrapper has already resolved the reference and
 * checked the owner's filters on its name; the tool only gets the reference back, so Docker resolves
 * it again here. Should that land on a different container (one created or renamed in between), the
 * filters are checked once more on what Docker returned, and a hidden container is reported as not
 * found — the same answer as for one that does not exist.
 */
export async function inspectVisibleContainer(
  docker: Docker,
  ref: string,
  visible: (name: string) => boolean,
  signal: AbortSignal,
): Promise<{ info: Docker.ContainerInspectInfo; name: string }> {
  const info = await dockerCall(`Inspecting container "${ref}"`, () =>
    docker.getContainer(ref).inspect({ abortSignal: signal }),
  );
  const name = containerName([info.Name], info.Id);
  if (!visible(name))
    throw new NotFoundError(`No container named or with ID "${ref}". Use docker_list to see the containers.`);
  return { info, name };
}
