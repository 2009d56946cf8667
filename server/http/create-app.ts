import express, { type Express } from 'express';
import type { AnyTool } from '../tools/define-tool.js';
import type { BackendProbe } from '../backends/backend-probe.js';
import type { TokenAuthenticator } from '../tokens/token-authenticator.js';
import type { CallEnv } from '../mcp/call-tool.js';
import type { SessionRegistry } from '../mcp/session-registry.js';
import type { Metrics } from './metrics.js';
import { hostOriginCheck } from './host-origin.js';
import { bearerAuth } from './bearer-auth.js';
import { healthRouter } from './health-routes.js';
import { mcpRouter } from './mcp-route.js';
import { sendError } from './send-error.js';

export interface AppDeps {
  env: CallEnv;
  tools: ReadonlyArray<AnyTool>;
  auth: TokenAuthenticator;
  sessions: SessionRegistry;
  metrics: Metrics;
  probes: ReadonlyArray<BackendProbe>;
  allowedHosts: Set<string>;
  bodyLimitBytes: number;
  shuttingDown: () => boolean;
}

/** The LAN-facing app: host/origin check on everything, then health, metrics and MCP. No CORS, ever. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const onReject = (reason: string) => deps.metrics.rejected.inc({ reason });

  app.use(hostOriginCheck(deps.allowedHosts, onReject));
  app.use(healthRouter({ probes: deps.probes, shuttingDown: deps.shuttingDown, metrics: deps.metrics, auth: deps.auth, onReject }));
  app.use('/mcp', (req, res, next) => {
    if (deps.shuttingDown()) return sendError(res, 503, 'The server is shutting down.');
    next();
  });
  app.use('/mcp', bearerAuth(deps.auth, onReject));
  app.use('/mcp', mcpRouter({ env: deps.env, tools: deps.tools, sessions: deps.sessions, bodyLimitBytes: deps.bodyLimitBytes, onReject }));
  app.use((_req, res) => sendError(res, 404, 'Not found. The MCP endpoint is /mcp.'));
  app.use(((err, _req, res, _next) => {
    deps.env.deps.log.error('unhandled request error', { err });
    if (!res.headersSent) sendError(res, 500, 'Internal error.');
  }) as express.ErrorRequestHandler);
  return app;
}
