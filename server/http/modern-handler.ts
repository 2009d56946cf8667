import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  classifyInboundRequest,
  createMcpHandler,
  type AuthInfo,
  type Server,
} from '@modelcontextprotocol/server';
import type { AnyTool } from '../tools/define-tool.js';
import type { Principal } from '../tokens/token-authenticator.js';
import type { CallEnv } from '../mcp/pipeline/tool-call.js';
import { createToolServer, type ModernParts } from '../mcp/tool-server.js';
import type { SessionPrincipal } from '../mcp/session-registry.js';

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
  /**
   * True when the request is the 2026-07-28 revision's to answer: it carries the per-request envelope
   * claim (or is malformed in a way only that revision's checks name).
   */
  claims(req: IncomingMessage, body: unknown): boolean;
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
  const servers = new ServerPool(deps);
  const handler = createMcpHandler(({ authInfo }) => servers.take(principalIn(authInfo)), {
    legacy: 'reject',
    maxRequestBodySize: deps.bodyLimitBytes,
    maxSubscriptions: deps.maxSubscriptions,
    onerror: deps.onError,
  });
  const watch = new ToolListWatch(deps.toolsKey, () => handler.notify.toolsChanged());

  return {
    claims(req, body) {
      // The SDK's own classification (what its isLegacyRequest runs), on the body we already parsed.
      const route = classifyInboundRequest({
        httpMethod: req.method ?? 'GET',
        protocolVersionHeader: header(req, 'mcp-protocol-version'),
        mcpMethodHeader: header(req, 'mcp-method'),
        mcpNameHeader: header(req, 'mcp-name'),
        body,
      });
      return route.kind !== 'legacy';
    },
    async serve(req, res, principal, body) {
      watch.seen(principal.tokenId);
      const authInfo: AuthInfo = {
        token: '',
        clientId: principal.tokenId,
        scopes: [principal.scope],
        extra: { principal },
      };
      // The client going away cancels the exchange (and with it the call's signal).
      const gone = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) gone.abort();
      });
      // The body is handed over parsed; the web Request only carries what the SDK reads from it.
      const request = new Request(`http://${req.headers.host ?? 'localhost'}/mcp`, {
        method: 'POST',
        headers: webHeaders(req),
        signal: gone.signal,
      });
      const response = await handler.fetch(request, { authInfo, parsedBody: body });
      await writeResponse(res, response, gone.signal);
    },
    async close() {
      watch.stop();
      await handler.close();
    },
  };
}

/** Idle servers kept for reuse; more than this many requests at once build their own. */
const POOL_SIZE = 32;

/**
 * Server instances for 2026-07-28 requests, reused: the SDK builds a fresh one per request only if
 * the factory returns one, and building it (capabilities, handlers) is a measurable share of a
 * small request. An instance serves one request at a time — the SDK refuses one still connected —
 * and comes back when its exchange closes. Who it serves is set as it is taken; a call reads its
 * caller once, when it starts.
 */
class ServerPool {
  private readonly idle: Array<{ server: Server; who: SessionPrincipal }> = [];

  constructor(private readonly deps: ModernHandlerDeps) {}

  take(principal: Principal): Server {
    const unit = this.idle.pop() ?? this.build();
    unit.who.current = principal;
    return unit.server;
  }

  private build(): { server: Server; who: SessionPrincipal } {
    const who: SessionPrincipal = { current: null as unknown as Principal };
    const server = createToolServer(
      this.deps.env,
      this.deps.tools,
      { era: 'modern', who, sessionId: () => undefined },
      this.deps.parts,
    );
    const unit = { server, who };
    // The SDK restores and calls this when the exchange's transport closes.
    server.onclose = () => {
      if (this.idle.length < POOL_SIZE && !this.idle.includes(unit)) this.idle.push(unit);
    };
    return unit;
  }
}

function principalIn(authInfo: AuthInfo | undefined): Principal {
  const principal = authInfo?.extra?.principal as Principal | undefined;
  // The handler is only reached after authentication; a missing principal is a wiring bug.
  if (!principal) throw new Error('2026-07-28 request without an authenticated principal');
  return principal;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** The headers the SDK's modern path reads (content negotiation and the MCP routing headers). */
function webHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const name of ['content-type', 'accept', 'mcp-protocol-version', 'mcp-method', 'mcp-name']) {
    const value = header(req, name);
    if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

/**
 * Writes the SDK's web Response to node:http: a JSON answer in one write; an event stream (progress
 * before the result, a subscriptions/listen stream) chunk by chunk as it comes, minding backpressure,
 * until it ends or the client goes away.
 */
async function writeResponse(res: ServerResponse, response: Response, gone: AbortSignal): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  if (!response.body || !(headers['content-type'] ?? '').includes('text/event-stream')) {
    const text = response.body ? await response.text() : '';
    res.writeHead(response.status, headers).end(text);
    return;
  }
  res.writeHead(response.status, headers);
  res.flushHeaders();
  const reader = response.body.getReader();
  const stop = () => void reader.cancel().catch(() => {});
  gone.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
      if (done || gone.aborted) break;
      if (!res.write(value))
        await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
    }
  } catch {
    // The stream was cancelled because the client went away: nothing left to write.
  } finally {
    gone.removeEventListener('abort', stop);
    res.end();
  }
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
