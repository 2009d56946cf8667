import type { Webgui } from '../../scripts/webgui/start-webgui.mjs';

export interface BridgeAnswer {
  status: number;
  json: any;
  text: string;
  headers: Headers;
  ms: number;
}

/**
 * Calls the PHP bridge over real HTTP through the harness's nginx and php-fpm, as the page's API
 * client does: reads as GET ?route=…, writes as a form POST (csrf_token, method, body, if_match).
 */
export function bridgeClient(webgui: Webgui, cookie: string) {
  const call = async (query: string, init: RequestInit = {}): Promise<BridgeAnswer> => {
    const started = Date.now();
    const res = await fetch(`${webgui.apiUrl}?${query}`, {
      redirect: 'manual',
      ...init,
      headers: { Cookie: cookie, ...(init.headers as Record<string, string>) },
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, json, text, headers: res.headers, ms: Date.now() - started };
  };
  return {
    call,
    get: (route: string, query: Record<string, string> = {}) =>
      call(new URLSearchParams({ route, ...query }).toString()),
    /** A write; `fields` may leave out or replace csrf_token, method, body, if_match. */
    post: (route: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
      call(new URLSearchParams({ route }).toString(), {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(fields).toString(),
      }),
    write: (route: string, method: string, body?: unknown, extra: Record<string, string> = {}) =>
      call(new URLSearchParams({ route }).toString(), {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': webgui.csrfToken },
        body: new URLSearchParams({
          csrf_token: webgui.csrfToken,
          method,
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          ...extra,
        }).toString(),
      }),
  };
}
