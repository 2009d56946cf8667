import type Docker from 'dockerode';
import { NotFoundError } from '../../errors/not-found-error.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { dockerCall } from './docker-errors.js';
import { MIN_ID_PREFIX } from './resolve-container.js';
import { quoteUntrusted } from '../../util/quote-untrusted.js';
import type { ResolvedTarget } from '../../vocabulary.js';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

/** Resolves a network by full ID, exact name, then unique ID prefix — as Docker does. */
export async function resolveNetwork(
  docker: Docker,
  ref: string,
  signal: AbortSignal,
): Promise<ResolvedTarget> {
  if (!NAME.test(ref)) throw new InvalidInputError(`${quoteUntrusted(ref)} is not a network name or ID.`);
  const list = await dockerCall('Listing networks', () =>
    docker.listNetworks({ abortSignal: signal } as Docker.NetworkListOptions),
  );
  const toTarget = (n: Docker.NetworkInspectInfo): ResolvedTarget => ({
    kind: 'network',
    id: n.Id,
    name: n.Name,
    labels: n.Labels ?? {},
  });
  const byId = list.find((n) => n.Id === ref);
  if (byId) return toTarget(byId);
  // Docker allows two networks with one name; acting on "either" of them is not acceptable.
  const byName = list.filter((n) => n.Name === ref);
  if (byName.length > 1)
    throw new InvalidInputError(
      `${byName.length} networks are named "${ref}". Use the network ID instead (see docker_network_list).`,
    );
  if (byName[0]) return toTarget(byName[0]);
  if (/^[0-9a-f]+$/.test(ref) && ref.length >= MIN_ID_PREFIX) {
    const matches = list.filter((n) => n.Id.startsWith(ref));
    if (matches.length === 1) return toTarget(matches[0] as Docker.NetworkInspectInfo);
    if (matches.length > 1)
      throw new InvalidInputError(
        `The ID prefix "${ref}" matches ${matches.length} networks. Use more characters of the ID, or the network name.`,
      );
  }
  throw new NotFoundError(
    `No network named or with ID "${ref}". Use docker_network_list to see the networks.`,
  );
}
