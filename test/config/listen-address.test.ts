import { describe, expect, it } from 'vitest';
import { listenAddress } from '../../server/config/listen-address.js';

const env = { host: '0.0.0.0', port: 8765, hostFromEnv: false, portFromEnv: false, httpsPort: null };
const listeners = { http: true, https: true, httpsPort: 8767 };

describe('listenAddress', () => {
  it("takes the owner's settings when the environment names no address", () => {
    expect(listenAddress(env, { bind: '192.168.1.20', port: 9000, ...listeners })).toEqual({
      host: '192.168.1.20',
      port: 9000,
      portSetting: 'PORT in unraid-mcp.cfg (Settings → Unraid MCP → Settings)',
      http: true,
      https: true,
      httpsPort: 8767,
      httpsPortSetting: 'HTTPS_PORT in unraid-mcp.cfg (Settings → Unraid MCP → Settings)',
      fromEnvironment: [],
    });
  });

  it('lets UNRAID_MCP_HOST, UNRAID_MCP_PORT and UNRAID_MCP_HTTPS_PORT win, each on its own', () => {
    expect(
      listenAddress({ ...env, port: 0, portFromEnv: true }, { bind: '::', port: 9000, ...listeners }),
    ).toMatchObject({
      host: '::',
      port: 0,
      portSetting: 'UNRAID_MCP_PORT',
      httpsPort: 8767,
      fromEnvironment: ['UNRAID_MCP_PORT'],
    });
    expect(
      listenAddress(
        { ...env, host: '127.0.0.1', hostFromEnv: true },
        { bind: '::', port: 9000, ...listeners },
      ),
    ).toMatchObject({ host: '127.0.0.1', port: 9000 });
    expect(
      listenAddress({ ...env, httpsPort: 0 }, { bind: '::', port: 9000, ...listeners, https: false }),
    ).toMatchObject({
      https: false,
      httpsPort: 0,
      httpsPortSetting: 'UNRAID_MCP_HTTPS_PORT',
      fromEnvironment: ['UNRAID_MCP_HTTPS_PORT'],
    });
  });
});
