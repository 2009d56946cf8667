import type Docker from 'dockerode';

/**
 * The Docker client, loaded on first use: dockerode and its dependencies cost memory an idle sidecar
 * (or one on a server without Docker) should not pay. No socket-level timeout: a `docker stop` with a
 * long grace period is silent for as long as it takes; the wrapper's per-tool timeout and the call's
 * AbortSignal bound every call instead.
 */
export function lazyDockerClient(socketPath: string): () => Promise<Docker> {
  let client: Promise<Docker> | null = null;
  return () =>
    (client ??= import('dockerode').then(({ default: DockerCtor }) => new DockerCtor({ socketPath })));
}
