import { describe, expect, it } from 'vitest';
import { join, resolve } from 'node:path';
import { parseEnv } from '../../server/config/env.js';
import { formatProblem } from '../../server/errors/config-error.js';
import { admin, createToken, makeServiceHost, startSidecar } from './service-host.js';

/**
 * The owner's Unraid settings are read rather than asked for again: the appdata folder from
 * docker.cfg (where the audit log and approvals persist), the VM shares and bridge from domain.cfg.
 * Environment variables still win; files that cannot be used are named, key by key, and the defaults
 * are taken without stopping the service.
 */
const BOOT = resolve(import.meta.dirname, '../../testdata/unraid/boot-config');
const EMHTTP = resolve(import.meta.dirname, '../../testdata/emhttp');
const files = (docker: string, domain: string, emhttp = 'parity-check-running') => ({
  UNRAID_MCP_DOCKER_CFG: join(BOOT, docker),
  UNRAID_MCP_DOMAIN_CFG: join(BOOT, domain),
  UNRAID_MCP_EMHTTP_ROOT: join(EMHTTP, emhttp),
});

describe("Unraid's own settings", () => {
  it('takes appdata from docker.cfg and the VM shares and bridge from domain.cfg', () => {
    const env = parseEnv(files('docker.cfg', 'domain.cfg'));
    expect(env.hostFileProblems).toEqual([]);
    expect(env).toMatchObject({
      appdataDir: '/mnt/cache/appdata',
      auditPersistentDir: '/mnt/cache/appdata/unraid-mcp/audit',
      approvalsPersistentDir: '/mnt/cache/appdata/unraid-mcp/approvals',
      persistentRoot: '/mnt/cache/appdata',
      arrayStarted: true,
      vmShares: { domainsDir: '/mnt/cache/domains', isoDir: '/mnt/user/isos', bridge: 'virbr0' },
    });
  });

  it('starts on appdata only when the array is started and the appdata folder exists', () => {
    // This machine has no /mnt/cache/appdata: RAM, although var.ini says STARTED.
    expect(parseEnv(files('docker.cfg', 'domain.cfg'))).toMatchObject({
      auditDir: '/var/log/unraid-mcp/audit',
      auditPersistent: false,
      approvalsDir: '/var/local/unraid-mcp',
    });
    // A folder that exists, with the array started: appdata, for the audit log and the approvals.
    const started = parseEnv({
      ...files('docker.cfg', 'domain.cfg'),
      UNRAID_MCP_AUDIT_PERSISTENT_DIR: join(BOOT, 'audit'),
      UNRAID_MCP_APPROVALS_PERSISTENT_DIR: join(BOOT, 'approvals'),
    });
    expect(started).toMatchObject({
      arrayStarted: true,
      persistentRoot: BOOT,
      auditDir: join(BOOT, 'audit'),
      auditPersistent: true,
      approvalsDir: join(BOOT, 'approvals'),
    });
    const stopped = parseEnv({
      ...files('docker.cfg', 'domain.cfg', 'unraid-6.11'),
      UNRAID_MCP_AUDIT_PERSISTENT_DIR: join(BOOT, 'audit'),
    });
    expect(stopped).toMatchObject({ arrayStarted: false, auditPersistent: false });
  });

  it('lets environment variables win over the files', () => {
    const env = parseEnv({
      ...files('docker.cfg', 'domain.cfg'),
      UNRAID_MCP_VM_DOMAINS_DIR: '/mnt/user/vms',
      UNRAID_MCP_VM_BRIDGE: 'br1',
      UNRAID_MCP_AUDIT_PERSISTENT_DIR: '/mnt/disk1/mcp/audit',
    });
    expect(env.vmShares).toEqual({ domainsDir: '/mnt/user/vms', isoDir: '/mnt/user/isos', bridge: 'br1' });
    expect(env.auditPersistentDir).toBe('/mnt/disk1/mcp/audit');
    // Outside appdata, the folder above the audit directory must already be there.
    expect(env.persistentRoot).toBe('/mnt/disk1/mcp');
  });

  it('names each unusable line and key, and takes the defaults for them', () => {
    const docker = join(BOOT, 'docker-malformed.cfg');
    const domain = join(BOOT, 'domain-malformed.cfg');
    const env = parseEnv(files('docker-malformed.cfg', 'domain-malformed.cfg'));
    expect(env.hostFileProblems.map(formatProblem)).toEqual([
      `${docker}: line 3: cannot be read (expected KEY="value"): "this line is not a setting"`,
      `${docker}: DOCKER_APP_CONFIG_PATH: "appdata/" is not an absolute folder other than / (without ".."); using the default`,
      `${domain}: DOMAINDIR: "/mnt/user/../../etc/" is not an absolute folder other than / (without ".."); using the default`,
      `${domain}: BRNAME: "br0; reboot" is not a network interface name; using the default`,
    ]);
    expect(env).toMatchObject({
      appdataDir: '/mnt/user/appdata',
      // A bare value is what parse_ini_file reads too.
      vmShares: { domainsDir: '/mnt/user/domains', isoDir: '/mnt/user/isos', bridge: 'br0' },
    });
  });

  it('a sidecar with unusable Unraid settings starts, says what it did not use, and serves', async () => {
    const host = await makeServiceHost({ arrayStarted: false });
    await createToken(host, 'agent');
    const srv = await startSidecar(host, {
      UNRAID_MCP_DOCKER_CFG: join(BOOT, 'docker-malformed.cfg'),
      UNRAID_MCP_DOMAIN_CFG: join(BOOT, 'domain-malformed.cfg'),
    });
    try {
      expect(srv.output()).toContain(
        `"problem":"${join(BOOT, 'docker-malformed.cfg')}: DOCKER_APP_CONFIG_PATH: \\"appdata/\\" is not an absolute folder`,
      );
      const status = await admin<{ mcp: { serving: boolean } }>(host, 'GET', '/api/status');
      expect(status.mcp.serving).toBe(true);
    } finally {
      expect(await srv.stop()).toBe(0);
    }
  }, 30_000);
});
