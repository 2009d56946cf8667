import type { ServerResponse } from 'node:http';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';

/** Comment frames this often keep proxies and idle timeouts from closing a quiet stream (the SDK's default). */
export const SSE_KEEP_ALIVE_MS = 15_000;

const SSE_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
};

/**
 * The HTTP response that carries the server's messages for one client request (or, for the GET
 * stream, messages tied to no request), written straight to Node's ServerResponse: no Web Streams
 * in between, since this is on every tool call.
 *
 * Nothing is sent until there is something to send. When the answer is the only message, it goes
 * out as one `application/json` body, which Streamable HTTP allows and which clients parse far more
 * cheaply than an event stream. Once anything has to go first — progress, an elicitation request,
 * or a keep-alive because the call is slow — the response becomes a Server-Sent Events stream and
 * the answer is its last event. A slow call therefore still gets its headers within
 * SSE_KEEP_ALIVE_MS, well inside any client's header timeout.
 */
export class ReplyStream {
  private headersSent = false;
  private ended = false;
  private readonly keepAlive: NodeJS.Timeout;

  constructor(
    private readonly res: ServerResponse,
    private readonly sessionId: string | undefined,
    onClose: () => void,
  ) {
    this.keepAlive = setInterval(() => this.write(': keepalive\n\n'), SSE_KEEP_ALIVE_MS);
    this.keepAlive.unref();
    res.once('close', () => {
      clearInterval(this.keepAlive);
      if (!this.ended) {
        this.ended = true;
        onClose();
      }
    });
  }

  get open(): boolean {
    return !this.ended;
  }

  /** Sends a message that is not the answer (it turns the response into an event stream). */
  send(message: JSONRPCMessage): boolean {
    return this.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  /** Sends `answer` (when given) as the last message and ends the response. */
  end(answer?: JSONRPCMessage): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.keepAlive);
    if (this.res.destroyed) return;
    if (this.headersSent) {
      this.res.end(answer === undefined ? undefined : `event: message\ndata: ${JSON.stringify(answer)}\n\n`);
      return;
    }
    this.headersSent = true;
    const body = answer === undefined ? '' : JSON.stringify(answer);
    const type = answer === undefined ? SSE_HEADERS : { 'Content-Type': 'application/json' };
    this.res.writeHead(200, {
      ...type,
      ...this.sessionHeader(),
      'Content-Length': String(Buffer.byteLength(body)),
    });
    this.res.end(body);
  }

  /** Starts the event stream now, for a stream that may stay quiet (the GET stream). */
  startEventStream(): void {
    if (this.headersSent || this.ended) return;
    this.headersSent = true;
    this.res.writeHead(200, { ...SSE_HEADERS, ...this.sessionHeader() });
    this.res.flushHeaders();
  }

  private write(text: string): boolean {
    if (this.ended || this.res.destroyed) return false;
    if (!this.headersSent) {
      this.headersSent = true;
      this.res.writeHead(200, { ...SSE_HEADERS, ...this.sessionHeader() });
    }
    this.res.write(text);
    return true;
  }

  private sessionHeader(): Record<string, string> {
    return this.sessionId === undefined ? {} : { 'mcp-session-id': this.sessionId };
  }
}
