import { request } from 'node:http';

export const SERVICE_NOT_RUNNING = 'the unraid-mcp service is not running';

export interface AdminTarget {
  socket: string;
  port: number | null;
}

/**
 * Calls the running sidecar's admin API (the CLI's way in): over the unix socket, or the demo's
 * loopback port when one is configured. Errors carry the API's own message.
 */
export function adminRequest<T>(
  target: AdminTarget,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; data: T }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        ...(target.port !== null ? { host: '127.0.0.1', port: target.port } : { socketPath: target.socket }),
        method,
        path,
        timeout: 10_000,
        headers: {
          'X-Unraid-MCP-Actor': 'cli',
          ...(payload
            ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          const data = (text ? JSON.parse(text) : {}) as T & { error?: string };
          if ((res.statusCode ?? 500) >= 400)
            reject(new Error(data.error ?? `admin API answered ${res.statusCode}`));
          else resolve({ status: res.statusCode ?? 200, data });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('the admin API did not answer within 10 s')));
    req.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
          ? new Error(
              `${SERVICE_NOT_RUNNING} (no admin API at ${target.port !== null ? `127.0.0.1:${target.port}` : target.socket})`,
            )
          : err,
      ),
    );
    req.end(payload);
  });
}
