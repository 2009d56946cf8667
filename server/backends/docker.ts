import Docker from 'dockerode';
import type { BackendProbe } from './backend-probe.js';

/** Connection to the Docker Engine over its unix socket. The Docker toolset builds on this client. */
export interface DockerBackend {
  client: Docker;
  probe: BackendProbe;
}

export function createDockerBackend(socketPath: string): DockerBackend {
  const client = new Docker({ socketPath, timeout: 5000 });
  return {
    client,
    probe: {
      name: 'docker',
      async check(signal) {
        try {
          // The typings lag the library: ping accepts { abortSignal } since dockerode 4.
          await (client.ping as unknown as (o: { abortSignal: AbortSignal }) => Promise<unknown>)({ abortSignal: signal });
          return null;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          return code === 'ENOENT' || code === 'ECONNREFUSED' ? 'the Docker service is not running' : 'the Docker service is not responding';
        }
      },
    },
  };
}
