import { Router } from 'express';
import type { AdminDeps } from '../admin-deps.js';
import { httpsUrls, mcpUrls } from '../mcp-urls.js';

/** One line per client program (name and version as it introduced itself) and token. */
function clientsOf(deps: AdminDeps) {
  const byClient = new Map<string, { name: string; version: string; token: string; sessions: number }>();
  for (const s of deps.sessions.list()) {
    const name = s.client?.name ?? 'unknown client';
    const version = s.client?.version ?? '';
    const key = JSON.stringify([name, version, s.token]);
    const entry = byClient.get(key) ?? { name, version, token: s.token, sessions: 0 };
    entry.sessions++;
    byClient.set(key, entry);
  }
  return [...byClient.values()];
}

/**
 * Service status for the WebGUI's Status view and dashboard tile: version, whether MCP is served (and
 * why not), where clients connect, backends, sessions and clients now, calls in the last hour,
 * pending approvals. Settings and audit add their parts through `extra`.
 */
export function statusRoutes(deps: AdminDeps, extra: () => Record<string, unknown>): Router {
  const r = Router();
  r.get('/', async (_req, res) => {
    const checks = await Promise.all(deps.probes.map(async (p) => [p.name, await p.check()] as const));
    const notServing = deps.mcp.notServing();
    const https = deps.mcp.https();
    res.json({
      version: deps.version,
      startedAt: deps.startedAt.toISOString(),
      uptimeSeconds: Math.round((deps.now().getTime() - deps.startedAt.getTime()) / 1000),
      mcp: {
        serving: notServing === null,
        ...(notServing !== null ? { reason: notServing } : {}),
        bind: deps.mcp.host,
        port: deps.mcp.port(),
        setByEnvironment: deps.mcp.fromEnvironment,
        // The plain HTTP URLs (none with HTTP="no").
        urls: deps.mcp.http ? mcpUrls({ bindHost: deps.mcp.host, port: deps.mcp.port() }) : [],
        http: { enabled: deps.mcp.http },
        https: { ...https, urls: httpsUrls(https, { bindHost: deps.mcp.host }) },
      },
      backends: Object.fromEntries(
        checks.map(([name, reason]) => [name, reason === null ? { up: true } : { up: false, reason }]),
      ),
      sessions: { active: deps.sessions.size, clients: clientsOf(deps) },
      calls: { lastHour: deps.callsLastHour() },
      pendingConfirmations: deps.pending.list().filter((e) => e.status === 'pending').length,
      ...extra(),
    });
  });
  return r;
}
