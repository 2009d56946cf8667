#!/usr/bin/env node
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { parseEnv, type ServiceEnv } from './config/env.js';
import { ConfigError, formatProblem } from './errors/config-error.js';
import { createLogger } from './log.js';
import { runCli } from './cli.js';

/** The only module that reads process.env and argv, opens the listener and handles signals. */
async function main(): Promise<number> {
  let env: ServiceEnv;
  try {
    env = parseEnv(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) process.stderr.write(formatProblem(p) + '\n');
    return 1;
  }
  const argv = process.argv.slice(2);
  if (argv[0] === 'serve') return serve(env);
  return runCli(argv, env, {
    out: (l) => process.stdout.write(l + '\n'),
    err: (l) => process.stderr.write(l + '\n'),
    now: () => new Date(),
  });
}

async function serve(env: ServiceEnv): Promise<number> {
  const log = createLogger(env.logLevel);
  // Loaded only for serve, so operator commands start fast.
  const { createService } = await import('./service.js');
  const { prepareAdminSocket, restrictAdminSocket } = await import('./admin/admin-socket.js');
  await prepareAdminSocket(env.adminSocket);
  const service = await createService(env, log);
  const server = createServer(service.app);
  const adminServers = [createServer(service.adminApp)];
  await listen(adminServers[0] as Server, { path: env.adminSocket });
  await restrictAdminSocket(env.adminSocket);
  const giveUp = async (err: unknown, where: { port: number; host: string }, setting: string) => {
    const line = portProblem(err, where, setting);
    if (line === null) throw err;
    process.stderr.write(`unraid-mcp: ${line}\n`);
    for (const a of adminServers) a.close();
    await service.shutdown().catch(() => {});
    return 1;
  };
  if (env.adminPort !== null) {
    // Demo only: the admin API on loopback, so the WebGUI page can be tried without Unraid's PHP bridge.
    const loopback = createServer(service.adminApp);
    const where = { port: env.adminPort, host: '127.0.0.1' };
    try {
      await listen(loopback, where);
    } catch (err) {
      return giveUp(err, where, 'UNRAID_MCP_ADMIN_PORT');
    }
    adminServers.push(loopback);
    log.warn('admin API also on 127.0.0.1 (demo only)', { port: env.adminPort });
  }
  // Slow-client bounds: a request must arrive within 30 s; idle keep-alive sockets close after 5 s.
  server.requestTimeout = 30_000;
  server.headersTimeout = 20_000;
  const { host, port: wantedPort, portSetting } = service.listen;
  try {
    await listen(server, { port: wantedPort, host });
  } catch (err) {
    return giveUp(err, { port: wantedPort, host }, portSetting);
  }
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : wantedPort;
  service.listeningOn(port);
  const shownHost =
    host === '0.0.0.0' || host === '::' ? hostname() : host.includes(':') ? `[${host}]` : host;
  process.stdout.write(`unraid-mcp ready: MCP URL http://${shownHost}:${port}/mcp\n`);
  log.info('listening', {
    host,
    port,
    auditDir: env.auditDir,
    auditPersistent: env.auditPersistent,
  });

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info('shutting down', { signal });
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      for (const a of adminServers) {
        a.close();
        a.closeAllConnections();
      }
      void service
        .shutdown()
        .catch((err: unknown) => log.error('error during shutdown', { err }))
        .then(() => endConnections(server, closed, FLUSH_MS))
        .finally(() => {
          log.info('stopped');
          resolve(0);
        });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}

/** How long the last answers (the shutdown's errors among them) get to reach their clients. */
const FLUSH_MS = 1000;

/**
 * Ends the listener's connections once the service has answered what it will: each as soon as it
 * is idle (its last response is out), the rest after `ms` — destroying a socket at once could cut
 * off the JSON-RPC error that tells a client its call was interrupted. `closed` settles when
 * server.close() saw the last connection end.
 */
async function endConnections(server: Server, closed: Promise<void>, ms: number): Promise<void> {
  server.closeIdleConnections();
  const poll = setInterval(() => server.closeIdleConnections(), 50);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearInterval(poll);
  clearTimeout(timer);
  server.closeAllConnections();
}

/**
 * One plain line for a port the listener cannot have (in use, or reserved for root), naming the
 * setting that changes it; null for any other error, which keeps its stack trace.
 */
function portProblem(err: unknown, where: { port: number; host: string }, setting: string): string | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const at = `port ${where.port} on ${where.host.includes(':') ? `[${where.host}]` : where.host}`;
  if (code === 'EADDRINUSE')
    return `${at} is already in use by another program. Stop that program, or set ${setting} to a free port.`;
  if (code === 'EACCES')
    return `${at} may not be opened by this user (ports below 1024 need root). Set ${setting} to a port above 1023.`;
  if (code === 'EADDRNOTAVAIL')
    return `${at} cannot be opened: ${where.host} is not an address of this machine. Check UNRAID_MCP_HOST.`;
  return null;
}

function listen(server: Server, where: { port: number; host: string } | { path: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(where, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`unraid-mcp: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
