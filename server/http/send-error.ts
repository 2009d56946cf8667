import type { Response } from 'express';

/**
 * Rejects an HTTP request with a JSON-RPC error body, the shape MCP clients already parse for
 * transport errors (the SDK answers its own 400/404/406/415 the same way).
 */
export function sendError(res: Response, status: number, message: string, headers: Record<string, string> = {}): void {
  res.status(status).set(headers).json({ jsonrpc: '2.0', error: { code: status === 400 ? -32600 : -32000, message }, id: null });
}
