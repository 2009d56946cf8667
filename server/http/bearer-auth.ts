import type { RequestHandler } from 'express';
import type { TokenAuthenticator } from '../tokens/token-authenticator.js';
import { sendError } from './send-error.js';

const CHALLENGE = 'Bearer realm="unraid-mcp"';
const QUERY_TOKEN_KEYS = ['token', 'access_token', 'api_key', 'apikey', 'key', 'auth'];

/**
 * Requires `Authorization: Bearer <token>` on every request and puts the principal in
 * res.locals.principal. Tokens in the URL are refused even when a header is also present: URLs end up
 * in logs and browser history.
 */
export function bearerAuth(auth: TokenAuthenticator, onReject: (reason: string) => void): RequestHandler {
  return (req, res, next) => {
    const queryKey = Object.keys(req.query).find((k) => QUERY_TOKEN_KEYS.includes(k.toLowerCase()));
    if (queryKey) {
      onReject('token_in_query');
      sendError(res, 401, `Tokens are not accepted in the URL ("${queryKey}=" parameter). Send the header "Authorization: Bearer <token>" instead.`, {
        'WWW-Authenticate': `${CHALLENGE}, error="invalid_request"`,
      });
      return;
    }
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) {
      onReject('missing_token');
      sendError(res, 401, 'Missing bearer token. Send "Authorization: Bearer <token>"; the owner creates tokens in Settings → unraid-mcp or with "unraid-mcp token create".', {
        'WWW-Authenticate': CHALLENGE,
      });
      return;
    }
    const result = auth.authenticate(m[1] as string);
    if (result.ok) {
      res.locals.principal = result.principal;
      next();
      return;
    }
    onReject(result.reason === 'config' ? 'token_config' : `${result.reason}_token`);
    if (result.reason === 'config') {
      sendError(res, 503, result.message);
      return;
    }
    const description = result.reason === 'expired' ? 'token expired' : 'invalid token';
    sendError(res, 401, result.reason === 'expired' ? 'The token has expired. Ask the owner for a new one.' : 'Invalid token.', {
      'WWW-Authenticate': `${CHALLENGE}, error="invalid_token", error_description="${description}"`,
    });
  };
}
