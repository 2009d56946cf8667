import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../server/config/env.js';

describe('parseEnv', () => {
  it('uses Unraid defaults, with the audit log on appdata when the array is up', () => {
    expect(parseEnv({}, true)).toEqual({
      host: '0.0.0.0',
      port: 8765,
      hostFromEnv: false,
      portFromEnv: false,
      httpsPort: null,
      certsDir: '/boot/config/ssl/certs',
      emhttpdSocket: '/var/run/emhttpd.socket',
      parityLog: '/boot/config/parity-checks.log',
      dynamixCfg: '/boot/config/plugins/dynamix/dynamix.cfg',
      notifyScript: '/usr/local/emhttp/webGui/scripts/notify',
      syslog: '/var/log/syslog',
      smartctl: '/usr/sbin/smartctl',
      nvidiaSmi: '/usr/bin/nvidia-smi',
      apcupsdAddr: { host: '127.0.0.1', port: 3551 },
      nutAddr: { host: '127.0.0.1', port: 3493 },
      arrayCommandTimeoutMs: 300_000,
      pluginsDir: '/var/log/plugins',
      pluginsCheckedDir: '/tmp/plugins',
      userScriptsDir: '/boot/config/plugins/user.scripts',
      userScriptsTmpDir: '/tmp/user.scripts',
      userScriptsRunner: '/usr/local/emhttp/plugins/user.scripts/startCustom.php',
      rebootCommand: '/sbin/reboot',
      poweroffCommand: '/sbin/poweroff',
      configDir: '/boot/config/plugins/unraid-mcp',
      stateDir: '/var/local/unraid-mcp',
      auditDir: '/mnt/user/appdata/unraid-mcp/audit',
      auditPersistent: true,
      auditRamDir: '/var/log/unraid-mcp/audit',
      auditPersistentDir: '/mnt/user/appdata/unraid-mcp/audit',
      approvalsDir: '/mnt/user/appdata/unraid-mcp/approvals',
      approvalsRamDir: '/var/local/unraid-mcp',
      approvalsPersistentDir: '/mnt/user/appdata/unraid-mcp/approvals',
      persistentRoot: '/mnt/user/appdata',
      appdataDir: '/mnt/user/appdata',
      arrayStarted: null,
      logFile: null,
      logFileMaxBytes: 1048576,
      hostFileProblems: [],
      procRoot: '/proc',
      sysRoot: '/sys',
      emhttpRoot: '/var/local/emhttp',
      allowedHosts: [],
      dockerSocket: '/var/run/docker.sock',
      libvirtUri: 'qemu:///system',
      logLevel: 'info',
      dockermanTemplates: '/boot/config/plugins/dockerMan/templates-user',
      updateContainerScript: '/usr/local/emhttp/plugins/dynamix.docker.manager/scripts/update_container',
      bindAllowlist: ['/mnt/user/appdata/*', '/mnt/user/*/*'],
      adminSocket: '/var/run/unraid-mcp/admin.sock',
      adminPort: null,
      vmShares: { domainsDir: '/mnt/user/domains', isoDir: '/mnt/user/isos', bridge: 'br0' },
    });
  });

  it('falls back to a RAM audit directory, reported as not persistent', () => {
    expect(parseEnv({}, false)).toMatchObject({
      auditDir: '/var/log/unraid-mcp/audit',
      auditPersistent: false,
    });
  });

  it('reads overrides', () => {
    const env = parseEnv(
      {
        UNRAID_MCP_PORT: '9000',
        UNRAID_MCP_ALLOWED_HOSTS: 'Tower.lan, mcp.example.com ,',
        DOCKER_HOST: 'unix:///tmp/d.sock',
      },
      false,
    );
    expect(env).toMatchObject({
      port: 9000,
      allowedHosts: ['tower.lan', 'mcp.example.com'],
      dockerSocket: '/tmp/d.sock',
    });
  });

  it('reads the VM shares, without trailing slashes, and refuses unusable ones', () => {
    expect(
      parseEnv(
        {
          UNRAID_MCP_VM_DOMAINS_DIR: '/mnt/user/vms/',
          UNRAID_MCP_VM_ISO_DIR: '/mnt/cache/isos',
          UNRAID_MCP_VM_BRIDGE: 'virbr0',
        },
        false,
      ).vmShares,
    ).toEqual({ domainsDir: '/mnt/user/vms', isoDir: '/mnt/cache/isos', bridge: 'virbr0' });
    expect(() =>
      parseEnv(
        {
          UNRAID_MCP_VM_DOMAINS_DIR: 'domains',
          UNRAID_MCP_VM_ISO_DIR: '/',
          UNRAID_MCP_VM_BRIDGE: 'br0; reboot',
        },
        false,
      ),
    ).toThrow(
      [
        'environment: UNRAID_MCP_VM_DOMAINS_DIR: "domains" must be an absolute folder other than / (without "..")',
        'environment: UNRAID_MCP_VM_ISO_DIR: "/" must be an absolute folder other than / (without "..")',
        'environment: UNRAID_MCP_VM_BRIDGE: "br0; reboot" is not a network interface name',
      ].join('\n'),
    );
  });

  it('refuses a bind allowlist entry that would open a disk or the whole server', () => {
    expect(() => parseEnv({ UNRAID_MCP_BIND_ALLOWLIST: '/mnt/user/appdata/*,/' }, false)).toThrow(
      /UNRAID_MCP_BIND_ALLOWLIST: "\/" would allow every folder/,
    );
  });

  it('names every bad variable', () => {
    expect(() =>
      parseEnv(
        { UNRAID_MCP_PORT: '70000', DOCKER_HOST: 'tcp://1.2.3.4:2375', UNRAID_MCP_LOG_LEVEL: 'loud' },
        false,
      ),
    ).toThrow(
      [
        'environment: UNRAID_MCP_PORT: "70000" is not a port number (0-65535)',
        'environment: DOCKER_HOST: "tcp://1.2.3.4:2375" is not supported: use unix:///path/to/docker.sock',
        'environment: UNRAID_MCP_LOG_LEVEL: "loud" is not one of debug, info, warn, error',
      ].join('\n'),
    );
  });
});
