import type Docker from 'dockerode';
import { NotFoundError } from '../../errors/not-found-error.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { dockerCall } from './docker-errors.js';
import { quoteUntrusted } from '../../util/quote-untrusted.js';
import type { ResolvedTarget } from '../../vocabulary.js';

const NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
const HEX = /^[0-9a-f]{1,64}$/;
/** Shorter prefixes are refused: too easy to hit the wrong container by accident. */
export const MIN_ID_PREFIX = 4;

/**
 * Resolves a container reference the way Docker does — full ID, then exact name, then a unique ID
 * prefix — so filters and protection always see the real name. An ambiguous prefix is an error
 * that does not list the candidates (some of them may be hidden by a filter).
 */
export async function resolveContainer(
  docker: Docker,
  ref: string,
  signal: AbortSignal,
  minPrefix = MIN_ID_PREFIX,
): Promise<ResolvedTarget> {
  if (!NAME.test(ref)) {
    throw new InvalidInputError(
      `${quoteUntrusted(ref)} is not a container name or ID (names are letters, digits, "_", "." and "-"; IDs are hex).`,
    );
  }
  const list = await dockerCall('Listing containers', () =>
    docker.listContainers({ all: true, abortSignal: signal } as Docker.ContainerListOptions),
  );
  const name = ref.replace(/^\//, '');
  const toTarget = (c: Docker.ContainerInfo): ResolvedTarget => ({
    kind: 'container',
    id: c.Id,
    name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
    labels: c.Labels ?? {},
  });
  const byId = list.find((c) => c.Id === name);
  if (byId) return toTarget(byId);
  const byName = list.find((c) => c.Names.some((n) => n.replace(/^\//, '') === name));
  if (byName) return toTarget(byName);
  if (HEX.test(name) && name.length >= minPrefix) {
    const matches = list.filter((c) => c.Id.startsWith(name));
    if (matches.length === 1) return toTarget(matches[0] as Docker.ContainerInfo);
    if (matches.length > 1)
      throw new InvalidInputError(
        `The ID prefix "${name}" matches ${matches.length} containers. Use more characters of the ID, or the container name.`,
      );
  }
  throw new NotFoundError(`No container named or with ID "${name}". Use docker_list to see the containers.`);
}
