import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/server';
import {
  isInitializeRequest,
  parseJSONRPCMessage,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type RequestId,
} from '@modelcontextprotocol/server';
import { sendError } from './send-error.js';
import { ReplyStream } from './reply-stream.js';
import { CONNECTION_CLOSED, SHUTDOWN_ERROR_CODE, SHUTDOWN_ERROR_DATA } from './shutdown-answer.js';
import { SHUTTING_DOWN_REQUEST } from '../errors/service-shutdown.js';

/**
 * The server side of MCP's Streamable HTTP transport for one session, on plain node:http.
 *
 * Why not the SDK's StreamableHTTPServerTransport: it converts every request and response between
 * Node and Web objects (Request, Headers, ReadableStream) and validates each message several times
 * over, which cost more CPU and garbage per tool call than the tool itself. This keeps its
 * behaviour for what the sidecar uses — a response per POSTed request that carries progress and
 * elicitation before the answer (ReplyStream: an SSE stream, or plain JSON when the answer is all
 * there is), 202 for notifications and responses, the GET stream for messages not tied to a
 * request, DELETE, session and protocol-version checks with the same status codes — and leaves out
 * resumability (no event store), which the sidecar never enabled. Host/origin, authentication, body
 * size and content type are checked before this (lan-handler, mcp-handler).
 */
export class SessionTransport implements Transport {
  sessionId: string | undefined;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport['onmessage'];

  private closed = false;
  /** The reply stream of each request still being served, by JSON-RPC id. */
  private readonly streams = new Map<RequestId, ReplyStream>();
  private standalone: ReplyStream | null = null;
  /** Called whenever a request's stream ends (see answered). */
  private readonly onStreamEnd = new Set<() => void>();

  constructor(
    private readonly opts: {
      newSessionId: () => string;
      /** Called once the session id is known, before the initialize request is handled. */
      onSessionInitialized: (id: string) => void;
      /** True once the service is stopping: requests still open at close are told so. */
      shuttingDown: () => boolean;
    },
  ) {}

  /** Requests POSTed in this session whose answer has not been sent yet. */
  get inFlight(): number {
    return this.streams.size;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  /** One parsed JSON-RPC message POSTed by the client (batches are refused before this). */
  handlePost(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    if (this.closed) return sendError(res, 404, 'Session not found', {}, -32001);
    const accept = req.headers.accept ?? '';
    if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
      return sendError(
        res,
        406,
        'Not Acceptable: Client must accept both application/json and text/event-stream',
      );
    }
    let message: JSONRPCMessage;
    try {
      message = parseJSONRPCMessage(body);
    } catch {
      return sendError(res, 400, 'Parse error: Invalid JSON-RPC message', {}, -32700);
    }
    const initialize = 'method' in message && message.method === 'initialize' && isInitializeRequest(message);
    if (initialize) {
      if (this.sessionId !== undefined)
        return sendError(res, 400, 'Invalid Request: Server already initialized', {}, -32600);
      this.sessionId = this.opts.newSessionId();
      this.opts.onSessionInitialized(this.sessionId);
    } else if (!this.checkSession(req, res)) {
      return;
    }
    if (!isRequest(message)) {
      // Notifications and the client's answers to our requests (elicitation) carry no response of their own.
      res.writeHead(202).end();
      this.onmessage?.(message);
      return;
    }
    const id = message.id;
    const stream = new ReplyStream(res, this.sessionId, () => {
      if (this.streams.get(id) === stream) this.streams.delete(id);
      this.streamEnded();
    });
    this.streams.set(id, stream);
    this.onmessage?.(message);
  }

  /** The standalone stream for server messages not tied to a request (one per session). */
  handleGet(req: IncomingMessage, res: ServerResponse): void {
    if (!(req.headers.accept ?? '').includes('text/event-stream'))
      return sendError(res, 406, 'Not Acceptable: Client must accept text/event-stream');
    if (!this.checkSession(req, res)) return;
    if (this.standalone?.open)
      return sendError(res, 409, 'Conflict: Only one SSE stream is allowed per session');
    const stream = new ReplyStream(res, this.sessionId, () => {
      if (this.standalone === stream) this.standalone = null;
    });
    this.standalone = stream;
    // Nothing may be sent on it for a long time, and the client waits for the headers.
    stream.startEventStream();
  }

  async handleDelete(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.checkSession(req, res)) return;
    // Streams first: a client that sees the answer goes on to close, and should find them ended.
    await this.close();
    res.writeHead(200).end();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const isResponse = 'result' in message || 'error' in message;
    const requestId = isResponse ? message.id : options?.relatedRequestId;
    if (requestId === undefined) {
      if (isResponse)
        return Promise.reject(
          new Error(
            'Cannot send a response on a standalone SSE stream unless resuming a previous client request',
          ),
        );
      this.standalone?.send(message); // without an event store, a message with no stream open is dropped (as in the SDK)
      return Promise.resolve();
    }
    const stream = this.streams.get(requestId);
    if (!stream)
      return Promise.reject(new Error(`No connection established for request ID: ${String(requestId)}`));
    if (!isResponse) {
      stream.send(message);
      return Promise.resolve();
    }
    this.streams.delete(requestId);
    stream.end(message);
    this.streamEnded();
    return Promise.resolve();
  }

  /**
   * Resolves once every request of this session has its answer on the wire, or after `ms`. At
   * shutdown the calls answer first (the pipeline words what happened); the SDK then sends those
   * answers a few turns later, so the transport waits for them before it closes and answers what is
   * left itself.
   */
  answered(ms: number): Promise<void> {
    if (this.streams.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.onStreamEnd.delete(check);
        resolve();
      };
      const check = () => {
        if (this.streams.size === 0) done();
      };
      const timer = setTimeout(done, ms);
      this.onStreamEnd.add(check);
    });
  }

  private streamEnded(): void {
    for (const listener of [...this.onStreamEnd]) listener();
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    // A request still open gets an answer, never an empty response: the client must not take the
    // silence for a result, and should know that the work may go on without it.
    const stopping = this.opts.shuttingDown();
    for (const [id, stream] of this.streams)
      stream.end(stopping ? shutdownError(id) : sessionClosedError(id));
    this.streams.clear();
    this.standalone?.end();
    this.standalone = null;
    this.onclose?.();
    return Promise.resolve();
  }

  /** Session id and protocol version headers of a request after initialize; answers the error itself. */
  private checkSession(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.sessionId === undefined) {
      sendError(res, 400, 'Bad Request: Server not initialized', {}, -32000);
      return false;
    }
    const id = req.headers['mcp-session-id'];
    if (!id) {
      sendError(res, 400, 'Bad Request: Mcp-Session-Id header is required', {}, -32000);
      return false;
    }
    if (id !== this.sessionId) {
      sendError(res, 404, 'Session not found', {}, -32001);
      return false;
    }
    const version = req.headers['mcp-protocol-version'];
    if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      sendError(
        res,
        400,
        `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
        {},
        -32000,
      );
      return false;
    }
    return true;
  }
}

/** The answer to a request still open when the service stops. */
function shutdownError(id: RequestId): JSONRPCMessage {
  return {
    jsonrpc: '2.0',
    id,
    error: { code: SHUTDOWN_ERROR_CODE, message: SHUTTING_DOWN_REQUEST, data: SHUTDOWN_ERROR_DATA },
  };
}

/** The answer to a request still open when its session closes for another reason (DELETE, idle, token revoked). */
function sessionClosedError(id: RequestId): JSONRPCMessage {
  return {
    jsonrpc: '2.0',
    id,
    error: {
      code: CONNECTION_CLOSED,
      message:
        'The session was closed while this request was still running (the client ended it, the owner closed it, or its token was revoked or expired); it may still complete on the server — check its effect before repeating it, in a new session.',
      data: { reason: 'session_closed' },
    },
  };
}

/** A request (it expects an answer), as opposed to a notification or a response: the message is already validated. */
function isRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  return 'method' in message && 'id' in message;
}
