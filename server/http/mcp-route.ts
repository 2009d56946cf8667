import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type Request, type Response, Router } from 'express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { AnyTool } from '../tools/define-tool.js';
import type { Principal } from '../tokens/token-authenticator.js';
import type { CallEnv } from '../mcp/call-tool.js';
import type { SessionRegistry } from '../mcp/session-registry.js';
import { createSessionServer } from '../mcp/session-server.js';
import { sendError } from './send-error.js';

export interface McpRouteDeps {
  env: CallEnv;
  tools: ReadonlyArray<AnyTool>;
  sessions: SessionRegistry;
  bodyLimitBytes: number;
  onReject: (reason: string) => void;
}

/** POST/GET/DELETE /mcp after host/origin and bearer checks: body rules, then session routing. */
export function mcpRouter(deps: McpRouteDeps): Router {
  const router = Router();
  const reject = (res: Response, reason: string, status: number, message: string) => {
    deps.onReject(reason);
    sendError(res, status, message);
  };

  router.post(
    '/',
    (req, res, next) => {
      // Checked before reading the body, so a wrong type never makes us buffer anything.
      if (!req.is('application/json')) return reject(res, 'content_type', 415, 'Unsupported Media Type: Content-Type must be application/json');
      next();
    },
    express.json({ limit: deps.bodyLimitBytes, strict: false }),
    (async (req, res) => {
      const body: unknown = req.body;
      if (Array.isArray(body)) return reject(res, 'batch', 400, 'JSON-RPC batches are not supported (removed in MCP 2025-06-18): send one message per request.');
      if (!body || typeof body !== 'object') return reject(res, 'invalid_message', 400, 'The body must be one JSON-RPC message object.');
      const principal = res.locals.principal as Principal;
      const sessionId = req.headers['mcp-session-id'];
      if (typeof sessionId === 'string') return forward(req, res, sessionId, principal, body);
      if (!isInitializeRequest(body)) return reject(res, 'no_session', 400, 'Bad Request: no Mcp-Session-Id header; start with an initialize request.');
      const full = deps.sessions.capacityProblem(principal.tokenId);
      if (full) return reject(res, 'session_limit', full.status, full.message);
      await openSession(req, res, principal, body);
    }) as express.RequestHandler,
  );

  const routeExisting = (async (req: Request, res: Response) => {
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId !== 'string') return reject(res, 'no_session', 400, 'Bad Request: Mcp-Session-Id header is required.');
    await forward(req, res, sessionId, res.locals.principal as Principal, undefined);
  }) as express.RequestHandler;
  router.get('/', routeExisting);
  router.delete('/', routeExisting);

  async function forward(req: Request, res: Response, sessionId: string, principal: Principal, body: unknown) {
    const session = deps.sessions.get(sessionId, principal.tokenId);
    if (!session) return reject(res, 'unknown_session', 404, 'Session not found: it expired, was closed, or belongs to another token. Start a new session with initialize.');
    await session.transport.handleRequest(req, res, body);
  }

  async function openSession(req: Request, res: Response, principal: Principal, body: unknown) {
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => deps.sessions.add({ id, tokenId: principal.tokenId, principal: principal.name, transport, server }),
    });
    const server = createSessionServer(deps.env, deps.tools, principal, () => transport.sessionId);
    transport.onclose = () => {
      if (transport.sessionId) deps.sessions.remove(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
    if (!transport.sessionId) await server.close();
  }

  const bodyErrors: ErrorRequestHandler = (err: { type?: string; status?: number }, _req, res, next) => {
    if (err.type === 'entity.too.large') return reject(res, 'body_too_large', 413, `Request body too large (limit ${Math.round(deps.bodyLimitBytes / 1024)} KB).`);
    if (err.type === 'entity.parse.failed') {
      deps.onReject('parse_error');
      res.status(400).json({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: the body is not valid JSON.' }, id: null });
      return;
    }
    if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') return reject(res, 'content_type', 415, 'Unsupported Media Type: use UTF-8 JSON.');
    next(err);
  };
  router.use(bodyErrors);
  return router;
}
