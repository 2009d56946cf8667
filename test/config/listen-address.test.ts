import { describe, expect, it } from 'vitest';
import { listenAddress } from '../../server/config/listen-address.js';

const env = { host: '0.0.0.0', port: 8765, hostFromEnv: false, portFromEnv: false };

describe('listenAddress', () => {
  it("takes the owner's settings when the environment names no address", () => {
    expect(listenAddress(env, { bind: '192.168.1.20', port: 9000 })).toEqual({
      host: '192.168.1.20',
      port: 9000,
      portSetting: 'PORT in unraid-mcp.cfg (Settings → Unraid MCP → Settings)',
      fromEnvironment: [],
    });
  });

  it('lets UNRAID_MCP_HOST and UNRAID_MCP_PORT win, each on its own', () => {
    expect(listenAddress({ ...env, port: 0, portFromEnv: true }, { bind: '::', port: 9000 })).toEqual({
      host: '::',
      port: 0,
      portSetting: 'UNRAID_MCP_PORT',
      fromEnvironment: ['UNRAID_MCP_PORT'],
    });
    expect(
      listenAddress({ ...env, host: '127.0.0.1', hostFromEnv: true }, { bind: '::', port: 9000 }),
    ).toMatchObject({ host: '127.0.0.1', port: 9000 });
  });
});
