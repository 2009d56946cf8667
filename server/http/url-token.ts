import { TOKEN_PREFIX } from '../tokens/token-secret.js';
import { quoteUntrusted } from '../util/quote-untrusted.js';

/** Query keys that carry tokens in other APIs: refused whatever their value, so no client gets used to sending one. */
const TOKEN_KEYS = ['token', 'access_token', 'api_key', 'apikey', 'key', 'auth'];

/**
 * One of our tokens (tokens/token-secret.ts: the prefix, then 43 base64url characters), or enough
 * of one to matter: a shortened or mangled token in a URL is a leak all the same.
 */
const TOKEN_LIKE = new RegExp(`${TOKEN_PREFIX}[A-Za-z0-9_-]{20,}`, 'i');

/**
 * Why the URL is refused because it carries a token, or null. URLs end up in proxy and server logs
 * and in browser history, so a token there is refused even when the Authorization header is valid,
 * whatever the parameter is called, and the answer never repeats it. Checked on every path.
 */
export function urlTokenProblem(url: URL): { reason: string; message: string } | null {
  const params = [...url.searchParams];
  const leaking = params.find(([k, v]) => TOKEN_LIKE.test(k) || TOKEN_LIKE.test(v));
  const named = params.find(([k]) => TOKEN_KEYS.includes(k.toLowerCase()));
  // The raw path and query too: what the parsed parameters do not show (a token in the path, odd
  // encodings) is still in the logs.
  const raw = url.pathname + url.search;
  const withToken = leaking !== undefined || TOKEN_LIKE.test(raw) || TOKEN_LIKE.test(safeDecode(raw));
  if (!withToken && named === undefined) return null;
  // The parameter is named (never its value); not when the name itself is the token.
  const key = leaking ? (TOKEN_LIKE.test(leaking[0]) ? null : leaking[0]) : (named?.[0] ?? null);
  const where = key === null ? 'the URL' : `the URL (the ${quoteUntrusted(key, 40)} parameter)`;
  return {
    reason: 'token_in_query',
    message:
      `${withToken ? 'A token was found in' : 'Tokens are not accepted in'} ${where}. Tokens belong in the ` +
      'header "Authorization: Bearer <token>", never in the URL: URLs are kept in logs and browser history.' +
      (withToken
        ? ' Remove it from the URL; if this URL was shared or logged, ask the owner to revoke the token.'
        : ''),
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
