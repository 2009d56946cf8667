import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isInitializeRequest } from '@modelcontextprotocol/server';
import type { AnyTool } from '../tools/define-tool.js';
import type { Principal } from '../tokens/token-authenticator.js';
import type { SessionRegistry } from '../mcp/session-registry.js';
import { createToolServer, type ModernParts } from '../mcp/tool-server.js';
import type { ModernHandler } from './modern-handler.js';
import { SessionTransport } from '../mcp/session-transport.js';
import { readJsonBody } from './read-json-body.js';
import { sendError } from '../mcp/send-error.js';
import type { CallEnv } from '../mcp/pipeline/tool-call.js';

export interface McpHandlerDeps {
  env: CallEnv;
  tools: ReadonlyArray<AnyTool>;
  sessions: SessionRegistry;
  /** The 2026-07-28 revision, served next to the 2025 sessions. */
  modern: ModernHandler;
  parts: ModernParts;
  bodyLimitBytes: number;
  /** True once the service is stopping (a session's open requests are then told so when it closes). */
  shuttingDown: () => boolean;
  onReject: (reason: string) => void;
  /** Counts each POSTed message by the protocol era it speaks (for /metrics: which clients speak what). */
  onEra: (era: '2025' | '2026-07-28') => void;
}

/**
 * /mcp after the host/origin and bearer checks: body rules for POST (type, size, JSON, no batches),
 * then the protocol era: a request that carries the 2026-07-28 envelope goes to the stateless
 * modern handler; 2025 traffic to session routing — a new session (one server + transport) for
 * initialize, otherwise the caller's own session; another token's session id is "not found".
 */
export function mcpHandler(
  deps: McpHandlerDeps,
): (req: IncomingMessage, res: ServerResponse, principal: Principal) => Promise<void> {
  const reject = (res: ServerResponse, reason: string, status: number, message: string, code?: number) => {
    deps.onReject(reason);
    sendError(res, status, message, {}, code);
  };

  async function forward(req: IncomingMessage, res: ServerResponse, principal: Principal, body: unknown) {
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId !== 'string')
      return reject(res, 'no_session', 400, 'Bad Request: Mcp-Session-Id header is required.');
    const session = deps.sessions.get(sessionId, principal.tokenId);
    if (!session)
      return reject(
        res,
        'unknown_session',
        404,
        'Session not found: it expired, was closed, or belongs to another token. Start a new session with initialize.',
      );
    // Every request authenticates afresh: the session acts with the token's scope as it is now.
    deps.sessions.refresh(session, principal);
    if (req.method === 'GET') return session.transport.handleGet(req, res);
    if (req.method === 'DELETE') return session.transport.handleDelete(req, res);
    if ((body as { method?: unknown }).method === 'tools/call') deps.sessions.recordCall(session);
    session.transport.handlePost(req, res, body);
  }

  async function openSession(req: IncomingMessage, res: ServerResponse, principal: Principal, body: unknown) {
    const who = { current: principal };
    const transport: SessionTransport = new SessionTransport({
      newSessionId: () => randomUUID(),
      onSessionInitialized: (id) =>
        deps.sessions.add({ id, tokenId: principal.tokenId, who, transport, server }),
      shuttingDown: deps.shuttingDown,
    });
    const server = createToolServer(
      deps.env,
      deps.tools,
      { era: 'legacy', who, sessionId: () => transport.sessionId },
      deps.parts,
    );
    transport.onclose = () => {
      if (transport.sessionId) deps.sessions.remove(transport.sessionId);
    };
    await server.connect(transport);
    transport.handlePost(req, res, body);
    if (!transport.sessionId) await server.close();
  }

  return async (req, res, principal) => {
    if (req.method === 'GET' || req.method === 'DELETE') return forward(req, res, principal, undefined);
    if (req.method !== 'POST')
      return reject(res, 'method', 405, 'Method not allowed: use POST, GET or DELETE.');
    const read = await readJsonBody(req, deps.bodyLimitBytes);
    if (!read.ok) return reject(res, read.reason, read.status, read.message, read.code);
    const body = read.body;
    if (Array.isArray(body))
      return reject(
        res,
        'batch',
        400,
        'JSON-RPC batches are not supported (removed in MCP 2025-06-18): send one message per request.',
      );
    if (!body || typeof body !== 'object')
      return reject(res, 'invalid_message', 400, 'The body must be one JSON-RPC message object.');
    if (deps.modern.claims(req, body)) {
      deps.onEra('2026-07-28');
      return deps.modern.serve(req, res, principal, body);
    }
    deps.onEra('2025');
    if (typeof req.headers['mcp-session-id'] === 'string') return forward(req, res, principal, body);
    if (!isInitializeRequest(body))
      return reject(
        res,
        'no_session',
        400,
        'Bad Request: no Mcp-Session-Id header; start with an initialize request.',
      );
    // At a limit the least recently used idle session is closed; refused only when all are busy.
    const full = await deps.sessions.makeRoom(principal.tokenId);
    if (full) {
      deps.onReject('session_limit');
      return sendError(res, full.status, full.message, { 'Retry-After': String(full.retryAfterSeconds) });
    }
    await openSession(req, res, principal, body);
  };
}
