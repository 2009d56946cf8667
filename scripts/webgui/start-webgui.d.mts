export interface Webgui {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The settings page, /Settings/UnraidMCP. */
  pageUrl: string;
  /** The dashboard with the plugin's tile, /Dashboard. */
  dashboardUrl: string;
  /** The bridge, /plugins/unraid-mcp/include/api.php. */
  apiUrl: string;
  /** The harness's login (user root, a random password unless one was given). */
  login: { user: string; password: string };
  /** var.ini's csrf_token for this harness. */
  csrfToken: string;
  dir: string;
  /** Points the bridge at another admin socket (a stopped or hanging sidecar), or back. */
  useAdminSocket(path: string): void;
  /** Logs in through the form; the Cookie header value of the session. */
  sessionCookie(): Promise<string>;
  stop(): Promise<void>;
}
export function phpFpmBinary(): string | null;
export function startWebgui(opts: {
  adminSocket: string;
  port?: number;
  rcScript?: string;
  varIni?: string;
  distDir?: string;
  password?: string;
  /** false: no CSRF prepend, so the bridge's own check is the only one. */
  csrfPrepend?: boolean;
}): Promise<Webgui>;
