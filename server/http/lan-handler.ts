import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { AnyTool } from '../tools/define-tool.js';
import type { BackendProbe } from '../backends/backend-probe.js';
import type { TokenAuthenticator } from '../tokens/token-authenticator.js';
import type { SessionRegistry } from '../mcp/session-registry.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { hostOriginProblem } from './host-origin.js';
import { CHALLENGE, checkBearer } from './bearer-auth.js';
import { urlTokenProblem } from './url-token.js';
import { mcpHandler } from './mcp-handler.js';
import type { ModernHandler } from './modern-handler.js';
import type { ModernParts } from '../mcp/tool-server.js';
import { sendError, sendJson } from '../mcp/send-error.js';
import type { CallEnv } from '../mcp/pipeline/tool-call.js';

export interface LanDeps {
  env: CallEnv;
  tools: ReadonlyArray<AnyTool>;
  auth: TokenAuthenticator;
  sessions: SessionRegistry;
  modern: ModernHandler;
  parts: ModernParts;
  metrics: Metrics;
  probes: ReadonlyArray<BackendProbe>;
  allowedHosts: Set<string>;
  bodyLimitBytes: number;
  shuttingDown: () => boolean;
  log: Logger;
}

/**
 * The LAN-facing listener: host/origin check on everything, then /healthz, /readyz, /metrics (token)
 * and /mcp (token). No CORS, ever. Plain node:http — four routes do not need a framework, and not
 * loading one keeps the idle sidecar small.
 */
export function createLanHandler(deps: LanDeps): RequestListener {
  const reject = (reason: string) => deps.metrics.rejected.inc({ reason });
  const mcp = mcpHandler({
    env: deps.env,
    tools: deps.tools,
    sessions: deps.sessions,
    modern: deps.modern,
    parts: deps.parts,
    bodyLimitBytes: deps.bodyLimitBytes,
    shuttingDown: deps.shuttingDown,
    onReject: reject,
    onEra: (era) => deps.metrics.protocolRequests.inc({ era }),
  });

  const authorized = (req: IncomingMessage, res: ServerResponse) => {
    const result = checkBearer(req, deps.auth);
    if (result.ok) return result.principal;
    reject(result.reason);
    sendError(res, result.status, result.message, result.headers);
    return null;
  };

  async function readyz(res: ServerResponse) {
    const results = await Promise.all(deps.probes.map(async (p) => [p.name, await p.check()] as const));
    const backends = Object.fromEntries(
      results.map(([name, reason]) => [name, reason === null ? { up: true } : { up: false, reason }]),
    );
    const unavailable = results.filter(([, r]) => r !== null).map(([n]) => n);
    if (deps.shuttingDown()) unavailable.unshift('shutting_down');
    sendJson(res, unavailable.length ? 503 : 200, {
      status: unavailable.length ? 'unavailable' : 'ready',
      unavailable,
      backends,
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const problem = hostOriginProblem(req, deps.allowedHosts);
    if (problem) {
      reject(problem.reason);
      return sendError(res, 403, problem.message);
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const leak = urlTokenProblem(url);
    if (leak) {
      // 400 invalid_request (RFC 6750): the request is malformed, whatever the token's worth. Not logged.
      reject(leak.reason);
      return sendError(res, 400, leak.message, {
        'WWW-Authenticate': `${CHALLENGE}, error="invalid_request"`,
      });
    }
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (url.pathname === '/healthz' && get) return sendJson(res, 200, { status: 'alive' });
    if (url.pathname === '/readyz' && get) return readyz(res);
    if (url.pathname === '/metrics' && get) {
      if (!authorized(req, res)) return;
      const text = await deps.metrics.registry.metrics();
      res.writeHead(200, { 'Content-Type': deps.metrics.registry.contentType });
      return void res.end(text);
    }
    if (url.pathname === '/mcp') {
      if (deps.shuttingDown()) return sendError(res, 503, 'The server is shutting down.');
      const principal = authorized(req, res);
      if (principal) await mcp(req, res, principal);
      return;
    }
    sendError(res, 404, 'Not found. The MCP endpoint is /mcp.');
  }

  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      deps.log.error('unhandled request error', { err });
      if (!res.headersSent) sendError(res, 500, 'Internal error.');
      else res.end();
    });
  };
}
