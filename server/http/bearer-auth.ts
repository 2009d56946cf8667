import type { IncomingMessage } from 'node:http';
import type { Principal, TokenAuthenticator } from '../tokens/token-authenticator.js';

const CHALLENGE = 'Bearer realm="unraid-mcp"';
const QUERY_TOKEN_KEYS = ['token', 'access_token', 'api_key', 'apikey', 'key', 'auth'];

export type BearerResult =
  | { ok: true; principal: Principal }
  | { ok: false; status: number; reason: string; message: string; headers: Record<string, string> };

/**
 * Requires `Authorization: Bearer <token>` on every request. Tokens in the URL are refused even when
 * a header is also present: URLs end up in logs and browser history.
 */
export function checkBearer(req: IncomingMessage, url: URL, auth: TokenAuthenticator): BearerResult {
  const queryKey = [...url.searchParams.keys()].find((k) => QUERY_TOKEN_KEYS.includes(k.toLowerCase()));
  if (queryKey) {
    return {
      ok: false,
      status: 401,
      reason: 'token_in_query',
      message: `Tokens are not accepted in the URL ("${queryKey.slice(0, 40)}=" parameter). Send the header "Authorization: Bearer <token>" instead.`,
      headers: { 'WWW-Authenticate': `${CHALLENGE}, error="invalid_request"` },
    };
  }
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
    message: expired ? 'The token has expired. Ask the owner for a new one.' : 'Invalid token.',
    headers: {
      'WWW-Authenticate': `${CHALLENGE}, error="invalid_token", error_description="${expired ? 'token expired' : 'invalid token'}"`,
    },
  };
}
