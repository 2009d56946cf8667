import type { ServiceEnv } from './env.js';
import type { ServiceSettings } from './settings.js';

/** Where the MCP listeners listen, which of them are on, and which setting to change to move them. */
export interface ListenAddress {
  host: string;
  port: number;
  /** What the owner changes to move it: the environment variable or the cfg key (the WebGUI's Settings). */
  portSetting: string;
  /** Plain HTTP on `port` (HTTP in unraid-mcp.cfg). */
  http: boolean;
  /** HTTPS on `httpsPort` with the WebGUI's certificate (HTTPS in unraid-mcp.cfg). */
  https: boolean;
  httpsPort: number;
  httpsPortSetting: string;
  /** The environment variables that decide it instead of the owner's settings, if any. */
  fromEnvironment: Array<'UNRAID_MCP_HOST' | 'UNRAID_MCP_PORT' | 'UNRAID_MCP_HTTPS_PORT'>;
}

const SETTINGS_PAGE = 'in unraid-mcp.cfg (Settings → Unraid MCP → Settings)';

/**
 * The environment (UNRAID_MCP_HOST / UNRAID_MCP_PORT / UNRAID_MCP_HTTPS_PORT, for the demo, tests and
 * hand-run services) wins; otherwise the owner's settings (BIND / PORT / HTTPS_PORT in unraid-mcp.cfg)
 * decide. Read once at start: moving a listener or switching one on or off needs a restart.
 */
export function listenAddress(
  env: Pick<ServiceEnv, 'host' | 'port' | 'hostFromEnv' | 'portFromEnv' | 'httpsPort'>,
  settings: Pick<ServiceSettings, 'bind' | 'port' | 'http' | 'https' | 'httpsPort'>,
): ListenAddress {
  const httpsFromEnv = env.httpsPort !== null;
  return {
    host: env.hostFromEnv ? env.host : settings.bind,
    port: env.portFromEnv ? env.port : settings.port,
    portSetting: env.portFromEnv ? 'UNRAID_MCP_PORT' : `PORT ${SETTINGS_PAGE}`,
    http: settings.http,
    https: settings.https,
    httpsPort: env.httpsPort ?? settings.httpsPort,
    httpsPortSetting: httpsFromEnv ? 'UNRAID_MCP_HTTPS_PORT' : `HTTPS_PORT ${SETTINGS_PAGE}`,
    fromEnvironment: [
      ...(env.hostFromEnv ? (['UNRAID_MCP_HOST'] as const) : []),
      ...(env.portFromEnv ? (['UNRAID_MCP_PORT'] as const) : []),
      ...(httpsFromEnv ? (['UNRAID_MCP_HTTPS_PORT'] as const) : []),
    ],
  };
}
