import { Router } from 'express';
import type { BackendProbe } from '../backends/backend-probe.js';
import type { Metrics } from './metrics.js';
import type { TokenAuthenticator } from '../tokens/token-authenticator.js';
import { bearerAuth } from './bearer-auth.js';

/**
 * /healthz: the process answers. /readyz: 200 only when every backend is up (and not shutting down),
 * otherwise 503 listing what is unavailable and why. /metrics: Prometheus text, token required.
 */
export function healthRouter(deps: {
  probes: ReadonlyArray<BackendProbe>;
  shuttingDown: () => boolean;
  metrics: Metrics;
  auth: TokenAuthenticator;
  onReject: (reason: string) => void;
}): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'alive' });
  });
  router.get('/readyz', async (_req, res) => {
    const results = await Promise.all(deps.probes.map(async (p) => [p.name, await p.check()] as const));
    const backends = Object.fromEntries(results.map(([name, reason]) => [name, reason === null ? { up: true } : { up: false, reason }]));
    const unavailable = results.filter(([, r]) => r !== null).map(([n]) => n);
    if (deps.shuttingDown()) unavailable.unshift('shutting_down');
    res.status(unavailable.length ? 503 : 200).json({ status: unavailable.length ? 'unavailable' : 'ready', unavailable, backends });
  });
  router.get('/metrics', bearerAuth(deps.auth, deps.onReject), async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}
