#!/usr/bin/env node
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { parseEnv, type ServiceEnv } from './config/env.js';
import { ConfigError, formatProblem } from './errors/config-error.js';
import { createLogger } from './log.js';
import { openLogFile } from './log-file.js';
import { runCli } from './cli.js';
import { portProblem } from './http/port-problem.js';
import { limitHeapGrowth } from './util/heap-tuning.js';

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
  // UNRAID_MCP_LOG_FILE: the service's own size-rotated file (the rc script's /var/log is a small tmpfs).
  const logFile = env.logFile ? openLogFile(env.logFile, env.logFileMaxBytes) : null;
  const log = createLogger(env.logLevel, logFile ? (l) => logFile.write(l) : undefined);
  // A stop asked for while the service is still starting (the rc script's SIGTERM right after the
  // ready line, while HTTPS starts) is kept and carried out once it can be, instead of Node's default
  // of dying at once with the audit log unflushed.
  let earlyStop: string | null = null;
  const noteEarlyStop = (signal: NodeJS.Signals) => (earlyStop ??= signal);
  process.on('SIGTERM', noteEarlyStop);
  process.on('SIGINT', noteEarlyStop);
  for (const p of env.hostFileProblems)
    log.warn('Unraid setting not used (default taken)', { problem: formatProblem(p) });
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
  const shownHost =
    host === '0.0.0.0' || host === '::' ? hostname() : host.includes(':') ? `[${host}]` : host;
  // HTTP="no": HTTPS only (the settings refuse both off); the plain server is never opened.
  if (service.listen.http) {
    try {
      await listen(server, { port: wantedPort, host });
    } catch (err) {
      return giveUp(err, { port: wantedPort, host }, portSetting);
    }
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : wantedPort;
    service.listeningOn(port);
    process.stdout.write(`unraid-mcp ready: MCP URL http://${shownHost}:${port}/mcp\n`);
    log.info('listening', {
      host,
      port,
      auditDir: env.auditDir,
      auditPersistent: env.auditPersistent,
    });
  } else {
    process.stdout.write('unraid-mcp ready: HTTP is off (HTTP="no" in unraid-mcp.cfg)\n');
  }
  // A missing or bad certificate, or a taken port, leaves HTTPS off (the status says why) and the rest up.
  await service.https.start();
  const https = service.https.state();
  if (https.enabled)
    process.stdout.write(
      https.serving
        ? `unraid-mcp https: MCP URL https://${shownHost}:${https.port}/mcp\n`
        : `unraid-mcp https is off: ${https.reason}\n`,
    );
  // Only now: with it on Node's command line, Node's own modules would compile from source (heap-tuning.ts).
  limitHeapGrowth();

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
    process.off('SIGTERM', noteEarlyStop);
    process.off('SIGINT', noteEarlyStop);
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    if (earlyStop) stop(earlyStop);
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
