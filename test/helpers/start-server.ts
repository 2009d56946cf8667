import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createService, type Service, type ServiceOptions } from '../../server/service.js';
import { parseEnv, type ServiceEnv } from '../../server/config/env.js';
import { createToken } from '../../server/tokens/token-commands.js';
import { silentLogger, type Logger } from '../../server/log.js';
import type { AnyTool } from '../../server/tools/define-tool.js';
import type { Scope } from '../../server/vocabulary.js';

export const TESTDATA = resolve(import.meta.dirname, '../../testdata');

export interface TestServerOptions {
  emhttpSet?: string;
  emhttpRoot?: string;
  procRoot?: string;
  sysRoot?: string;
  settingsCfg?: string;
  /** Written as policy.json (filters, protected lists, confirmation modes). */
  policy?: Record<string, unknown>;
  tokens?: Array<{ name: string; scope: Scope; expires?: Date | null }>;
  tools?: ReadonlyArray<AnyTool>;
  /** docker_update's container swap (settle time, a broken new container). */
  recreate?: ServiceOptions['recreate'];
  env?: Record<string, string>;
  log?: Logger;
  /** Use this directory for config, state and audit (tokens are created only if none exist yet) — to restart a server on the same state. Not removed on close. */
  root?: string;
}

export interface TestServer {
  url: string;
  origin: string;
  port: number;
  env: ServiceEnv;
  service: Service;
  secrets: Record<string, string>;
  root: string;
  /** http://127.0.0.1:PORT of the admin API's test listener. */
  adminOrigin: string;
  /** Calls the admin API (served on loopback for the test), as the WebGUI bridge or the CLI would. */
  admin(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; json: any; headers: Headers }>;
  connect(tokenName?: string, clientOpts?: ConstructorParameters<typeof Client>[1]): Promise<Client>;
  close(): Promise<void>;
}

/**
 * Starts the real sidecar (createService + a real HTTP listener on 127.0.0.1, port 0) over fixture
 * roots and fresh temporary config/state/audit directories, with real tokens in tokens.json.
 */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const root = opts.root ?? (await mkdtemp(join(tmpdir(), 'umcp-test-')));
  const dirs = { config: join(root, 'config'), state: join(root, 'state'), audit: join(root, 'audit') };
  await mkdir(dirs.config, { recursive: true });
  if (opts.settingsCfg !== undefined) await writeFile(join(dirs.config, 'unraid-mcp.cfg'), opts.settingsCfg);
  if (opts.policy !== undefined)
    await writeFile(join(dirs.config, 'policy.json'), JSON.stringify({ version: 1, ...opts.policy }));
  const secrets: Record<string, string> = {};
  const fresh = !existsSync(join(dirs.config, 'tokens.json'));
  for (const t of fresh ? (opts.tokens ?? [{ name: 'test', scope: 'admin' as const }]) : []) {
    secrets[t.name] = (await createToken(dirs.config, t.name, t.scope, t.expires ?? null, new Date())).secret;
  }
  const env = parseEnv(
    {
      UNRAID_MCP_HOST: '127.0.0.1',
      UNRAID_MCP_PORT: '0',
      UNRAID_MCP_CONFIG_DIR: dirs.config,
      UNRAID_MCP_STATE_DIR: dirs.state,
      UNRAID_MCP_AUDIT_DIR: dirs.audit,
      UNRAID_MCP_PROC_ROOT: opts.procRoot ?? join(TESTDATA, 'proc'),
      UNRAID_MCP_SYS_ROOT: opts.sysRoot ?? join(TESTDATA, 'sys'),
      UNRAID_MCP_EMHTTP_ROOT:
        opts.emhttpRoot ?? join(TESTDATA, 'emhttp', opts.emhttpSet ?? 'parity-check-running'),
      DOCKER_HOST: `unix://${join(root, 'no-docker.sock')}`,
      LIBVIRT_URI: 'test:///default',
      UNRAID_MCP_ADMIN_SOCKET: join(root, 'admin.sock'),
      UNRAID_MCP_AUDIT_RAM_DIR: join(root, 'audit-ram'),
      UNRAID_MCP_AUDIT_PERSISTENT_DIR: dirs.audit,
      ...opts.env,
    },
    false,
  );
  const service = await createService(env, opts.log ?? silentLogger, {
    tools: opts.tools,
    defaultMetrics: false,
    recreate: opts.recreate,
  });
  const server: Server = createServer(service.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  service.listeningOn(port);
  const adminServer: Server = createServer(service.adminApp);
  await new Promise<void>((r) => adminServer.listen(0, '127.0.0.1', r));
  const adminOrigin = `http://127.0.0.1:${(adminServer.address() as AddressInfo).port}`;
  // Also on the unix socket, where the CLI looks for it.
  const adminSocketServer: Server = createServer(service.adminApp);
  await new Promise<void>((r) => adminSocketServer.listen(env.adminSocket, r));
  const origin = `http://127.0.0.1:${port}`;
  const clients: Client[] = [];
  return {
    url: `${origin}/mcp`,
    origin,
    port,
    env,
    service,
    secrets,
    root,
    adminOrigin,
    async admin(method, path, body, headers = {}) {
      const res = await fetch(adminOrigin + path, {
        method,
        headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null, headers: res.headers };
    },
    async connect(tokenName: string = Object.keys(secrets)[0] ?? 'test', clientOpts) {
      const client = new Client({ name: 'vitest', version: '1.0.0' }, clientOpts);
      const transport = new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${secrets[tokenName] ?? tokenName}` } },
      });
      await client.connect(transport);
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
      server.close();
      server.closeAllConnections();
      for (const a of [adminServer, adminSocketServer]) {
        a.close();
        a.closeAllConnections();
      }
      await service.shutdown(1000);
      if (!opts.root) await rm(root, { recursive: true, force: true });
    },
  };
}

/** Headers of a valid raw MCP POST, for tests that speak HTTP without the SDK client. */
export function mcpHeaders(secret: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    Authorization: `Bearer ${secret}`,
    'Content-Type': 'application/json',
    Accept: 'application/json, text/event-stream',
    ...extra,
  };
}

export const INIT_BODY = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
