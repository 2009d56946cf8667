import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * True when the request announced a body (Content-Length > 0 or Transfer-Encoding) that nobody has
 * read to its end. An answer sent then leaves the rest of the body on the wire, where the next
 * request of a keep-alive connection would start.
 */
export function bodyUnread(req: IncomingMessage): boolean {
  const announced =
    req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  return announced && !req.readableEnded;
}

/**
 * Sends a JSON answer. An answer sent before the request body was read (refused by its headers, its
 * size, its token…) says `Connection: close`, and Node ends the connection once the answer is out,
 * discarding what is left of the body: a keep-alive client then sends its next request on a fresh
 * connection instead of one the server is about to drop.
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  const early = res.req !== undefined && bodyUnread(res.req);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    ...(early ? { Connection: 'close' } : {}),
    ...headers,
  });
  res.end(text);
}

/**
 * Rejects an HTTP request with a JSON-RPC error body, the shape MCP clients already parse for
 * transport errors (the SDK answers its own 400/404/406/415 the same way).
 */
export function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
  code = status === 400 ? -32600 : -32000,
): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null }, headers);
}
