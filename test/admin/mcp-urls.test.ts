import { describe, expect, it } from 'vitest';
import type { NetworkInterfaceInfo } from 'node:os';
import { mcpUrls } from '../../server/admin/mcp-urls.js';

const nic = (address: string, family: 'IPv4' | 'IPv6', internal = false) =>
  ({ address, family, internal, netmask: '', mac: '', cidr: null }) as unknown as NetworkInterfaceInfo;
const interfaces = {
  lo: [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)],
  br0: [nic('192.168.1.20', 'IPv4'), nic('fe80::1', 'IPv6'), nic('2001:db8::20', 'IPv6')],
};

describe('mcpUrls', () => {
  it('offers the .local name and every LAN IPv4 address when bound to all of IPv4', () => {
    expect(mcpUrls({ bindHost: '0.0.0.0', port: 8765, systemHostName: 'Tower', interfaces })).toEqual([
      { address: 'tower.local', url: 'http://tower.local:8765/mcp' },
      { address: '192.168.1.20', url: 'http://192.168.1.20:8765/mcp' },
    ]);
  });

  it('adds global IPv6 addresses in brackets (never link-local ones) when bound to ::', () => {
    expect(
      mcpUrls({ bindHost: '::', port: 1, systemHostName: 'nas.lan', interfaces }).map((u) => u.url),
    ).toEqual(['http://nas.local:1/mcp', 'http://192.168.1.20:1/mcp', 'http://[2001:db8::20]:1/mcp']);
  });

  it('offers only the bound address otherwise', () => {
    expect(mcpUrls({ bindHost: '192.168.1.20', port: 2, interfaces })).toEqual([
      { address: '192.168.1.20', url: 'http://192.168.1.20:2/mcp' },
    ]);
  });
});
