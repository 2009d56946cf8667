import type Docker from 'dockerode';
import { ConflictError } from '../../errors/conflict-error.js';
import { dockerCall } from './docker-errors.js';
import { containerName, inspectContainer } from './container-action.js';
import { resolveNetwork } from './resolve-network.js';

/** What docker_network_connect and docker_network_disconnect return (their output schema lives with the tools). */
export interface ConnectionOutput {
  container: { name: string; id: string };
  network: { name: string; id: string };
  connected: boolean;
  ipv4Address: string | null;
  aliases: string[];
  networks: string[];
  changed: boolean;
  message: string;
}

export interface Connection {
  container: Docker.ContainerInspectInfo;
  network: Docker.NetworkInspectInfo;
  /** The container's endpoint on the network, or null when it is not attached. */
  endpoint: Docker.EndpointSettings | null;
}

/** Drivers of Docker's `host` and `none` networks: a container is on them by its network mode, never by connecting. */
export const MODE_DRIVERS: ReadonlySet<string> = new Set(['host', 'null']);

/**
 * The container (as the wrapper resolved it) and the network (resolved the way the wrapper resolves
 * networks: full ID, exact name, unique ID prefix — syntax checked before Docker is asked).
 */
export async function loadConnection(
  docker: Docker,
  containerRef: string,
  networkRef: string,
  signal: AbortSignal,
): Promise<Connection> {
  const container = await inspectContainer(docker, containerRef, signal);
  const resolved = await resolveNetwork(docker, networkRef, signal);
  const network = await dockerCall(`Network "${resolved.name}"`, () =>
    docker.getNetwork(resolved.id).inspect(),
  );
  return { container, network, endpoint: endpointOf(container, network) };
}

/** Endpoints are keyed by network name; a created (never started) container has no NetworkID yet. */
export function endpointOf(
  container: Docker.ContainerInspectInfo,
  network: Docker.NetworkInspectInfo,
): Docker.EndpointSettings | null {
  const nets = (container.NetworkSettings.Networks ?? {}) as Record<string, Docker.EndpointSettings>;
  return nets[network.Name] ?? Object.values(nets).find((e) => e.NetworkID === network.Id) ?? null;
}

/** Refuses a container whose network mode shares another namespace: it cannot join or leave user networks. */
export function assertJoinable(container: Docker.ContainerInspectInfo): void {
  const mode = container.HostConfig.NetworkMode ?? '';
  if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) {
    throw new ConflictError(
      `Container "${containerName(container)}" uses network mode "${mode.startsWith('container:') ? 'container' : mode}", so it cannot be attached to other networks; nothing was done. Change its network type in the Docker tab first.`,
    );
  }
}

export function networkNames(container: Docker.ContainerInspectInfo): string[] {
  return Object.keys(container.NetworkSettings.Networks ?? {}).sort();
}

/** Reads the container back and describes its attachment to `network`. */
export async function connectionResult(
  docker: Docker,
  containerId: string,
  network: Docker.NetworkInspectInfo,
  signal: AbortSignal,
  message: (after: Docker.ContainerInspectInfo, endpoint: Docker.EndpointSettings | null) => string,
): Promise<ConnectionOutput> {
  const after = await inspectContainer(docker, containerId, signal);
  const endpoint = endpointOf(after, network);
  const address = endpoint
    ? after.State.Running && endpoint.IPAddress
      ? endpoint.IPAddress
      : (endpoint.IPAMConfig?.IPv4Address ?? null)
    : null;
  return {
    container: { name: containerName(after), id: after.Id },
    network: { name: network.Name, id: network.Id },
    connected: endpoint !== null,
    ipv4Address: address || null,
    aliases: endpoint?.Aliases ?? [],
    networks: networkNames(after),
    changed: true,
    message: message(after, endpoint),
  };
}
