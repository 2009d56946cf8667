import { createServer } from 'node:net';

/**
 * Whether the MCP listener could move to `host`:`port`: tries to listen there for a moment. Null
 * when it could; otherwise the field to blame and why, in the owner's words — so a port already taken
 * by another program is refused when it is saved, not found out at the next restart.
 */
export function listenProblem(
  host: string,
  port: number,
  portField = 'port',
): Promise<{ field: string; message: string } | null> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE')
        resolve({ field: portField, message: `port ${port} is in use by another program on this server` });
      else if (err.code === 'EADDRNOTAVAIL')
        resolve({ field: 'bind', message: `${host} is not an address of this server` });
      else if (err.code === 'EACCES')
        resolve({ field: portField, message: `port ${port} needs privileges the service does not have` });
      else resolve({ field: portField, message: `cannot listen on ${host} port ${port}: ${err.message}` });
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(null)));
  });
}
