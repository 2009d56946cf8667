import { Router } from 'express';
import type { AdminDeps } from '../admin-deps.js';

/** Service status for the WebGUI header: version, backends, sessions. Settings and audit add their parts. */
export function statusRoutes(deps: AdminDeps, extra: () => Record<string, unknown>): Router {
  const r = Router();
  r.get('/', async (_req, res) => {
    const checks = await Promise.all(deps.probes.map(async (p) => [p.name, await p.check()] as const));
    res.json({
      version: deps.version,
      startedAt: deps.startedAt.toISOString(),
      uptimeSeconds: Math.round((deps.now().getTime() - deps.startedAt.getTime()) / 1000),
      backends: Object.fromEntries(
        checks.map(([name, reason]) => [name, reason === null ? { up: true } : { up: false, reason }]),
      ),
      sessions: { active: deps.sessions.size },
      pendingConfirmations: deps.pending.list().filter((e) => e.status === 'pending').length,
      ...extra(),
    });
  });
  return r;
}
