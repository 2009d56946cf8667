import type Docker from 'dockerode';

/**
 * The Docker client, loaded on first use: dockerode and its dependencies cost memory an idle sidecar
 * (or one on a server without Docker) should not pay.
 */
export function lazyDockerClient(socketPath: string): () => Promise<Docker> {
  let client: Promise<Docker> | null = null;
  return () => (client ??= import('dockerode').then(({ default: DockerCtor }) => new DockerCtor({ socketPath, timeout: 30_000 })));
}
