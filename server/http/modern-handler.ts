import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMcpHandler, isLegacyRequest, type AuthInfo } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import type { AnyTool } from '../tools/define-tool.js';
import type { Principal } from '../tokens/token-authenticator.js';
import type { CallEnv } from '../mcp/pipeline/tool-call.js';
import { createToolServer, type ModernParts } from '../mcp/tool-server.js';

export interface ModernHandlerDeps {
  env: CallEnv;
  tools: ReadonlyArray<AnyTool>;
  parts: ModernParts;
  bodyLimitBytes: number;
  /** Open subscriptions/listen streams, all tokens together. */
  maxSubscriptions: number;
  /** The token's tool-list key (scope, toolsets, read-only) as it is now; null once it is gone. */
  toolsKey: (tokenId: string) => string | null;
  onError: (err: Error) => void;
}

export interface ModernHandler {
  /** True when the request speaks the 2026-07-28 revision (it carries the per-request envelope claim). */
  claims(req: IncomingMessage, body: unknown): Promise<boolean>;
  /** Serves one 2026-07-28 request, already authenticated and its body read and checked. */
  serve(req: IncomingMessage, res: ServerResponse, principal: Principal, body: unknown): Promise<void>;
  close(): Promise<void>;
}

/** How often the tool lists of the tokens seen are compared with what they were (cheap: no I/O). */
const WATCH_EVERY_MS = 2_000;

/**
 * /mcp for the 2026-07-28 revision: stateless, one server instance per request from the same
 * factory as the 2025 sessions, through the SDK's handler (server/discover, envelope and header
 * checks with the spec's errors, input_required, subscriptions/listen). Its 2025 fallback is off —
 * 2025 traffic keeps our sessionful transport. Authentication, host/origin, body limits and the
 * whole call pipeline apply before and within it exactly as for 2025 clients.
 */
export function modernHandler(deps: ModernHandlerDeps): ModernHandler {
  const handler = createMcpHandler(
    ({ authInfo }) =>
      createToolServer(
        deps.env,
        deps.tools,
        { era: 'modern', who: { current: principalIn(authInfo) }, sessionId: () => undefined },
        deps.parts,
      ),
    {
      legacy: 'reject',
      maxRequestBodySize: deps.bodyLimitBytes,
      maxSubscriptions: deps.maxSubscriptions,
      onerror: deps.onError,
    },
  );
  const node = toNodeHandler(handler, { maxRequestBodySize: deps.bodyLimitBytes });
  const watch = new ToolListWatch(deps.toolsKey, () => handler.notify.toolsChanged());

  return {
    async claims(req, body) {
      if (req.method !== 'POST') return false;
      // The SDK's own routing predicate, from the parsed body and the headers it reads.
      const probe = new Request('http://localhost/mcp', { method: 'POST', headers: routingHeaders(req) });
      return !(await isLegacyRequest(probe, body));
    },
    async serve(req, res, principal, body) {
      watch.seen(principal.tokenId);
      (req as IncomingMessage & { auth?: AuthInfo }).auth = {
        token: '',
        clientId: principal.tokenId,
        scopes: [principal.scope],
        extra: { principal },
      };
      await node(req, res, body);
    },
    async close() {
      watch.stop();
      await handler.close();
    },
  };
}

function principalIn(authInfo: AuthInfo | undefined): Principal {
  const principal = authInfo?.extra?.principal as Principal | undefined;
  // The handler is only reached after authentication; a missing principal is a wiring bug.
  if (!principal) throw new Error('2026-07-28 request without an authenticated principal');
  return principal;
}

function routingHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const name of ['content-type', 'accept', 'mcp-protocol-version', 'mcp-method', 'mcp-name']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers.set(name, value);
  }
  return headers;
}

/**
 * Tells listening 2026-07-28 clients (subscriptions/listen) that the tool list changed, when the
 * settings or the scope of a token seen on this endpoint changed. A notification tells every
 * listener to list again, and each then gets its own token's list: nothing of another token's leaks.
 */
class ToolListWatch {
  private readonly keys = new Map<string, string | null>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly toolsKey: (tokenId: string) => string | null,
    private readonly notify: () => void,
  ) {
    this.timer = setInterval(() => this.check(), WATCH_EVERY_MS);
    this.timer.unref();
  }

  seen(tokenId: string): void {
    if (!this.keys.has(tokenId)) this.keys.set(tokenId, this.toolsKey(tokenId));
  }

  check(): void {
    let changed = false;
    for (const [tokenId, key] of this.keys) {
      const now = this.toolsKey(tokenId);
      if (now === key) continue;
      changed = true;
      if (now === null) this.keys.delete(tokenId);
      else this.keys.set(tokenId, now);
    }
    if (changed) this.notify();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
