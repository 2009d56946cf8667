import type { ServiceEnv } from './env.js';
import type { ServiceSettings } from './settings.js';

/** Where the MCP listener listens, and which setting to change to move it. */
export interface ListenAddress {
  host: string;
  port: number;
  /** What the owner changes to move it: the environment variable or the cfg key (the WebGUI's Settings). */
  portSetting: string;
  /** The environment variables that decide it instead of the owner's settings, if any. */
  fromEnvironment: Array<'UNRAID_MCP_HOST' | 'UNRAID_MCP_PORT'>;
}

/**
 * The environment (UNRAID_MCP_HOST / UNRAID_MCP_PORT, for the demo, tests and hand-run services)
 * wins; otherwise the owner's settings (BIND / PORT in unraid-mcp.cfg) decide. Read once at start:
 * moving a listener needs a restart.
 */
export function listenAddress(
  env: Pick<ServiceEnv, 'host' | 'port' | 'hostFromEnv' | 'portFromEnv'>,
  settings: Pick<ServiceSettings, 'bind' | 'port'>,
): ListenAddress {
  return {
    host: env.hostFromEnv ? env.host : settings.bind,
    port: env.portFromEnv ? env.port : settings.port,
    portSetting: env.portFromEnv
      ? 'UNRAID_MCP_PORT'
      : 'PORT in unraid-mcp.cfg (Settings → Unraid MCP → Settings)',
    fromEnvironment: [
      ...(env.hostFromEnv ? (['UNRAID_MCP_HOST'] as const) : []),
      ...(env.portFromEnv ? (['UNRAID_MCP_PORT'] as const) : []),
    ],
  };
}
