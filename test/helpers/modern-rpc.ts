import type { TestServer } from './start-server.js';

/** The stateless protocol revision. */
export const MODERN = '2026-07-28';
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/** The per-request `_meta` envelope a 2026-07-28 client sends: version, who it is, what it can do. */
export function envelope(capabilities: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'io.modelcontextprotocol/protocolVersion': MODERN,
    'io.modelcontextprotocol/clientInfo': { name: 'raw-test-client', version: '1.0.0' },
    'io.modelcontextprotocol/clientCapabilities': capabilities,
  };
}

export interface ModernRequest {
  method: string;
  params?: Record<string, unknown>;
  /** Token name in `srv.secrets`; null sends no Authorization header. */
  token?: string | null;
  /** Client capabilities for the envelope (ignored when `meta` is given). */
  capabilities?: Record<string, unknown>;
  /** The whole `_meta`, instead of a well-formed envelope. */
  meta?: Record<string, unknown>;
  /** Extra or overriding headers (e.g. a mismatching Mcp-Method). */
  headers?: Record<string, string>;
  id?: number | string;
}

export interface ModernReply {
  status: number;
  headers: Headers;
  /** The JSON-RPC response (the last message of an SSE answer). */
  body: any;
  /** Every message of the answer, in order (progress notifications before the response). */
  messages: any[];
}

let nextId = 1;

/**
 * One raw 2026-07-28 request over HTTP, as a client of that revision sends it: the envelope in
 * `params._meta` and the MCP-Protocol-Version, Mcp-Method and Mcp-Name headers. For what the SDK
 * client does not expose (tasks, a tampered requestState, malformed envelopes).
 */
export async function modernRequest(srv: TestServer, req: ModernRequest): Promise<ModernReply> {
  const params = { ...req.params, _meta: req.meta ?? envelope(req.capabilities) };
  const name =
    typeof req.params?.name === 'string'
      ? req.params.name
      : typeof req.params?.taskId === 'string'
        ? req.params.taskId
        : undefined;
  const token = req.token === undefined ? 'test' : req.token;
  const res = await fetch(srv.url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': MODERN,
      'Mcp-Method': req.method,
      ...(name !== undefined ? { 'Mcp-Name': name } : {}),
      ...(token !== null ? { Authorization: `Bearer ${srv.secrets[token]}` } : {}),
      ...req.headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: req.id ?? nextId++, method: req.method, params }),
  });
  const text = await res.text();
  const messages = (res.headers.get('content-type') ?? '').includes('text/event-stream')
    ? text
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => JSON.parse(line.slice(5)))
    : text
      ? [JSON.parse(text)]
      : [];
  return { status: res.status, headers: res.headers, body: messages.at(-1), messages };
}
