import { request } from 'node:http';
import type { BackendProbe } from './backend-probe.js';

/**
 * Reachability of the Docker Engine for /readyz: GET /_ping on its unix socket with a short timeout.
 * Plain node:http on purpose — the Docker client library is loaded only when a Docker tool runs,
 * which keeps the idle sidecar small.
 */
export function dockerProbe(socketPath: string, timeoutMs = 2000): BackendProbe {
  return {
    name: 'docker',
    check: () =>
      new Promise((resolve) => {
        const req = request({ socketPath, path: '/_ping', timeout: timeoutMs }, (res) => {
          res.resume();
          resolve(res.statusCode === 200 ? null : 'the Docker service is not responding');
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', (err: NodeJS.ErrnoException) =>
          resolve(
            err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
              ? 'the Docker service is not running'
              : 'the Docker service is not responding',
          ),
        );
        req.end();
      }),
  };
}
