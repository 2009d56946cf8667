import { describe, expect, it } from 'vitest';
import { formatTcpAddress, parseTcpAddress } from '../../server/config/tcp-address.js';
import { parseEnv } from '../../server/config/env.js';

describe('UPS daemon addresses', () => {
  it('reads host:port, IPv6 in brackets, and writes them back the same way', () => {
    expect(parseTcpAddress('127.0.0.1:3551')).toEqual({ host: '127.0.0.1', port: 3551 });
    expect(parseTcpAddress('[::1]:3493')).toEqual({ host: '::1', port: 3493 });
    expect(formatTcpAddress({ host: '::1', port: 3493 })).toBe('[::1]:3493');
    expect(parseTcpAddress('ups.lan:3493')).toEqual({ host: 'ups.lan', port: 3493 });
  });

  it('refuses what is not an address, naming the form', () => {
    for (const bad of ['3551', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', 'a b:1', '::1:3493'])
      expect(parseTcpAddress(bad), bad).toMatch(/is not a host:port address/);
  });

  it('defaults to the local daemons and reports a bad variable as a config problem', () => {
    const env = parseEnv({}, false);
    expect(env.apcupsdAddr).toEqual({ host: '127.0.0.1', port: 3551 });
    expect(env.nutAddr).toEqual({ host: '127.0.0.1', port: 3493 });
    expect(env.smartctl).toBe('/usr/sbin/smartctl');
    expect(env.nvidiaSmi).toBe('/usr/bin/nvidia-smi');
    expect(() => parseEnv({ UNRAID_MCP_NUT_ADDR: 'localhost' }, false)).toThrow(/UNRAID_MCP_NUT_ADDR/);
  });
});
