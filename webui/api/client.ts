import type { Problem } from './types.js';

/** The bridge's own refusals (api.php), told apart from the sidecar's by their `code`. */
export type BridgeCode = 'not_running' | 'csrf' | 'route' | 'too_large' | 'timeout';
const BRIDGE_CODES: ReadonlyArray<string> = ['not_running', 'csrf', 'route', 'too_large', 'timeout'];

export type WriteMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A refused request: HTTP status, the message to show, the bridge code if the bridge refused, the fields at fault. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: BridgeCode | null = null,
    readonly problems: Problem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiResult<T> {
  data: T;
  /** The ETag without quotes (settings carry their revision in it), null when absent. */
  etag: string | null;
}

export type QueryParams = Record<string, string | number | undefined | null>;

/** `api.php?route=/audit&tool=x`: the admin route and the sidecar's query parameters (empty ones left out). */
export function readUrl(api: string, route: string, params: QueryParams = {}): string {
  const q = new URLSearchParams({ route });
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  return `${api}${api.includes('?') ? '&' : '?'}${q.toString()}`;
}

/** The form fields of a write: the bridge turns them into the sidecar request (see the page contract). */
export function writeForm(
  csrf: string,
  method: WriteMethod,
  body?: unknown,
  ifMatch?: string,
): URLSearchParams {
  const f = new URLSearchParams({ csrf_token: csrf, method });
  if (body !== undefined) f.set('body', JSON.stringify(body));
  if (ifMatch !== undefined) f.set('if_match', `"${ifMatch}"`);
  return f;
}

const HTTP_WORDS: Record<number, string> = {
  403: 'The WebGUI refused the request (its security token is missing or old). Reload the page.',
  404: 'The page asked for something the bridge does not forward.',
  413: 'The request is too large.',
  502: 'The bridge could not reach the unraid-mcp service.',
  503: 'The unraid-mcp service is not running.',
  504: 'The unraid-mcp service did not answer within 5 seconds.',
};

/** The error an answer carries: the sidecar's `{error, problems}` or the bridge's `{error, code}`. */
export function errorFrom(status: number, json: unknown): ApiError {
  const o = json && typeof json === 'object' ? (json as Record<string, unknown>) : {};
  const code = typeof o.code === 'string' && BRIDGE_CODES.includes(o.code) ? (o.code as BridgeCode) : null;
  const problems = Array.isArray(o.problems)
    ? o.problems
        .filter(
          (p): p is Problem => !!p && typeof p === 'object' && typeof (p as Problem).message === 'string',
        )
        .map((p) => ({ field: String(p.field ?? ''), message: p.message }))
    : [];
  const message =
    typeof o.error === 'string' && o.error
      ? o.error
      : (HTTP_WORDS[status] ?? `The request failed (HTTP ${status}).`);
  return new ApiError(status, message, code, problems);
}

/** The ETag value without W/ and quotes. */
export function etagValue(header: string | null): string | null {
  return header ? header.replace(/^W\//, '').replace(/"/g, '') : null;
}

export interface ClientConfig {
  /** The bridge's URL (`data-api`). */
  api: string;
  /** The WebGUI's CSRF token (`data-csrf`). */
  csrf: string;
  fetch?: typeof fetch;
  /** Told of every answer: whether the service's admin socket answered (false on `not_running`). */
  onReachable?: (running: boolean) => void;
  /**
   * How long to wait for the WebGUI. The bridge gives up on the sidecar after 5 s; this catches a
   * WebGUI (nginx, php-fpm) that hangs itself. Default 15 s.
   */
  timeoutMs?: number;
}

/** The admin API through the PHP bridge: reads as GET ?route=, writes as form POSTs carrying the CSRF token. */
export class ApiClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly cfg: ClientConfig) {
    this.fetch = cfg.fetch ?? ((input, init) => fetch(input, init));
  }

  get<T>(route: string, params?: QueryParams): Promise<ApiResult<T>> {
    return this.request<T>(readUrl(this.cfg.api, route, params), { method: 'GET' });
  }

  send<T>(route: string, method: WriteMethod, body?: unknown, ifMatch?: string): Promise<ApiResult<T>> {
    return this.request<T>(readUrl(this.cfg.api, route), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': this.cfg.csrf },
      body: writeForm(this.cfg.csrf, method, body, ifMatch).toString(),
    });
  }

  /** Starts the service through its rc script (`api.php?action=start`). */
  async start(): Promise<void> {
    const url = `${this.cfg.api}${this.cfg.api.includes('?') ? '&' : '?'}action=start`;
    await this.request(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': this.cfg.csrf },
      body: new URLSearchParams({ csrf_token: this.cfg.csrf }).toString(),
    });
  }

  /** A download link (export): a plain GET the browser follows. */
  link(route: string, params?: QueryParams): string {
    return readUrl(this.cfg.api, route, params);
  }

  private async request<T>(url: string, init: RequestInit): Promise<ApiResult<T>> {
    const timeoutMs = this.cfg.timeoutMs ?? 15_000;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await this.fetch(url, {
        ...init,
        credentials: 'same-origin',
        headers: { Accept: 'application/json', ...init.headers },
        signal: abort.signal,
      });
      text = await res.text();
    } catch (err) {
      throw new ApiError(
        0,
        abort.signal.aborted
          ? `The WebGUI did not answer within ${timeoutMs / 1000} seconds.`
          : `The WebGUI could not be reached: ${(err as Error).message}`,
      );
    } finally {
      clearTimeout(timer);
    }
    let json: unknown = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        if (res.ok) throw new ApiError(res.status, 'The answer was not JSON.');
      }
    }
    if (!res.ok) {
      const err = errorFrom(res.status, json);
      this.cfg.onReachable?.(err.code !== 'not_running');
      throw err;
    }
    this.cfg.onReachable?.(true);
    return { data: json as T, etag: etagValue(res.headers.get('ETag')) };
  }
}
