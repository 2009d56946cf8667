import type { IncomingMessage } from 'node:http';
import type { Principal, TokenAuthenticator } from '../tokens/token-authenticator.js';

export const CHALLENGE = 'Bearer realm="unraid-mcp"';

export type BearerResult =
  | { ok: true; principal: Principal }
  | { ok: false; status: number; reason: string; message: string; headers: Record<string, string> };

/**
 * Requires `Authorization: Bearer <token>` on every request. Tokens in the URL are refused before
 * this, on every path (url-token.ts).
 */
export function checkBearer(req: IncomingMessage, auth: TokenAuthenticator): BearerResult {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m) {
    return {
      ok: false,
      status: 401,
      reason: 'missing_token',
      message:
        'Missing bearer token. Send "Authorization: Bearer <token>"; the owner creates tokens in Settings → unraid-mcp or with "unraid-mcp token create".',
      headers: { 'WWW-Authenticate': CHALLENGE },
    };
  }
  const result = auth.authenticate(m[1] as string);
  if (result.ok) return result;
  if (result.reason === 'config')
    return { ok: false, status: 503, reason: 'token_config', message: result.message, headers: {} };
  const expired = result.reason === 'expired';
  return {
    ok: false,
    status: 401,
    reason: `${result.reason}_token`,
    message: expired
      ? `The token has expired. ${HOW_TO_GET_A_TOKEN}`
      : `Invalid token: it was mistyped, revoked, or belongs to another server. ${HOW_TO_GET_A_TOKEN}`,
    headers: {
      'WWW-Authenticate': `${CHALLENGE}, error="invalid_token", error_description="${expired ? 'token expired' : 'invalid token'}"`,
    },
  };
}

/** Where a token comes from, for every 401: the owner makes one on the server. */
const HOW_TO_GET_A_TOKEN =
  'The owner lists tokens with "unraid-mcp token list" and creates one with "unraid-mcp token create" (or in Settings → unraid-mcp).';
