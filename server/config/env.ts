import { existsSync } from 'node:fs';
import { ConfigError, type ConfigProblem } from '../errors/config-error.js';
import { DEFAULT_VM_SHARES, type VmShares } from './vm-shares.js';
import { allowlistEntryProblem } from './bind-allowlist.js';

/**
 * Process settings from environment variables. Defaults suit an Unraid host; everything can be
 * pointed elsewhere so tests and the demo run on fixtures. Pure: main.ts passes process.env in.
 */
export interface ServiceEnv {
  host: string;
  port: number;
  /**
   * Whether UNRAID_MCP_HOST / UNRAID_MCP_PORT were given. When not, the owner's settings (BIND, PORT
   * in unraid-mcp.cfg, edited in the WebGUI) decide; see listenAddress().
   */
  hostFromEnv: boolean;
  portFromEnv: boolean;
  configDir: string;
  stateDir: string;
  auditDir: string;
  /** False when the audit log lives in RAM (no array started yet) and will not survive a reboot. */
  auditPersistent: boolean;
  /** Where the audit log moves when the array stops (RAM) and back when it starts (appdata). */
  auditRamDir: string;
  auditPersistentDir: string;
  procRoot: string;
  sysRoot: string;
  emhttpRoot: string;
  allowedHosts: string[];
  dockerSocket: string;
  libvirtUri: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  adminSocket: string;
  /** dockerMan's user-template folder (Unraid); docker_create writes a template there when it exists. */
  dockermanTemplates: string;
  /** The WebGUI's update_container script (Unraid); docker_update uses it when it exists. */
  updateContainerScript: string;
  /** Host folders docker_create may bind (globs: `*` is one folder level). */
  bindAllowlist: string[];
  /** Loopback port for the admin API, for the demo only; null = socket only. */
  adminPort: number | null;
  /** Where VM disks and ISOs live and the bridge new VMs join (Unraid: Settings → VM Manager). */
  vmShares: VmShares;
  /** emhttpd's unix socket: array and parity commands go there, as the WebGUI sends them. */
  emhttpdSocket: string;
  /** The parity history the WebGUI appends to when an operation ends. */
  parityLog: string;
}

/** The documented variables, their defaults and meaning; the README table is checked against this. */
export const ENV_DOCS: ReadonlyArray<{ name: string; default: string; meaning: string }> = [
  {
    name: 'UNRAID_MCP_HOST',
    default: '0.0.0.0',
    meaning:
      'Address the MCP listener binds to; when unset, BIND in unraid-mcp.cfg (set in the WebGUI) decides.',
  },
  {
    name: 'UNRAID_MCP_PORT',
    default: '8765',
    meaning:
      'TCP port of the MCP listener (0 picks a free port); when unset, PORT in unraid-mcp.cfg decides.',
  },
  {
    name: 'UNRAID_MCP_CONFIG_DIR',
    default: '/boot/config/plugins/unraid-mcp',
    meaning: 'Settings and tokens (on the flash drive; written only when they change).',
  },
  {
    name: 'UNRAID_MCP_STATE_DIR',
    default: '/var/local/unraid-mcp',
    meaning: 'Runtime state in RAM, such as token last-used times.',
  },
  {
    name: 'UNRAID_MCP_AUDIT_DIR',
    default: '/mnt/user/appdata/unraid-mcp/audit if /mnt/user/appdata exists, else /var/log/unraid-mcp/audit',
    meaning: 'Audit log directory (never the flash drive).',
  },
  {
    name: 'UNRAID_MCP_AUDIT_RAM_DIR',
    default: '/var/log/unraid-mcp/audit',
    meaning: 'Where the audit log moves while the array is stopped (RAM, not persistent).',
  },
  {
    name: 'UNRAID_MCP_AUDIT_PERSISTENT_DIR',
    default: '/mnt/user/appdata/unraid-mcp/audit',
    meaning: 'Where the audit log moves back to when the array has started.',
  },
  {
    name: 'UNRAID_MCP_PROC_ROOT',
    default: '/proc',
    meaning: 'procfs root read for CPU, memory, uptime and ZFS ARC.',
  },
  {
    name: 'UNRAID_MCP_SYS_ROOT',
    default: '/sys',
    meaning: 'sysfs root read for hwmon temperatures and fans.',
  },
  {
    name: 'UNRAID_MCP_EMHTTP_ROOT',
    default: '/var/local/emhttp',
    meaning: "Unraid's emhttp state files (var.ini, disks.ini, shares.ini).",
  },
  {
    name: 'UNRAID_MCP_ALLOWED_HOSTS',
    default: '(empty)',
    meaning: 'Extra Host/Origin names or addresses to accept, comma-separated (e.g. a reverse-proxy name).',
  },
  {
    name: 'UNRAID_MCP_ADMIN_SOCKET',
    default: '/var/run/unraid-mcp/admin.sock',
    meaning: 'Unix socket (mode 0600) of the admin API used by the WebGUI page and the CLI.',
  },
  {
    name: 'UNRAID_MCP_ADMIN_PORT',
    default: '(unset)',
    meaning:
      'Also serve the admin API on 127.0.0.1 at this port — for the demo only; never on a real server.',
  },
  {
    name: 'UNRAID_MCP_BIND_ALLOWLIST',
    default: '/mnt/user/appdata/*,/mnt/user/*/*',
    meaning:
      'Host folders docker_create may bind, comma-separated; `*` is one folder level and a folder allows everything below it. Disks, pools, /boot and system folders are always refused.',
  },
  {
    name: 'UNRAID_MCP_DOCKERMAN_TEMPLATES',
    default: '/boot/config/plugins/dockerMan/templates-user',
    meaning:
      "Unraid's Docker template folder; when it exists, docker_create writes a template so the container is editable in the Docker tab.",
  },
  {
    name: 'UNRAID_MCP_UPDATE_CONTAINER_SCRIPT',
    default: '/usr/local/emhttp/plugins/dynamix.docker.manager/scripts/update_container',
    meaning:
      "The WebGUI's container update script; docker_update uses it for containers that have a template.",
  },
  {
    name: 'UNRAID_MCP_VM_DOMAINS_DIR',
    default: DEFAULT_VM_SHARES.domainsDir,
    meaning:
      'Share holding VM disk images: vm_create makes new images in a folder named after the VM there and only accepts disks inside it; vm_delete only deletes images inside it.',
  },
  {
    name: 'UNRAID_MCP_VM_ISO_DIR',
    default: DEFAULT_VM_SHARES.isoDir,
    meaning: 'Share holding installer ISOs; vm_create only attaches ISOs inside it.',
  },
  {
    name: 'UNRAID_MCP_VM_BRIDGE',
    default: DEFAULT_VM_SHARES.bridge,
    meaning: 'Network bridge new VMs join unless vm_create is told otherwise.',
  },
  {
    name: 'UNRAID_MCP_LOG_LEVEL',
    default: 'info',
    meaning: 'debug, info, warn or error; logs are JSON lines on stderr.',
  },
  {
    name: 'DOCKER_HOST',
    default: 'unix:///var/run/docker.sock',
    meaning: 'Docker Engine socket (unix:// only).',
  },
  { name: 'LIBVIRT_URI', default: 'qemu:///system', meaning: 'libvirt connection URI.' },
  {
    name: 'UNRAID_MCP_EMHTTPD_SOCKET',
    default: '/var/run/emhttpd.socket',
    meaning: "emhttpd's unix socket; the parity tools send their commands there.",
  },
  {
    name: 'UNRAID_MCP_PARITY_LOG',
    default: '/boot/config/parity-checks.log',
    meaning: 'Parity operation history read by parity_history.',
  },
];

const APPDATA = '/mnt/user/appdata';

export function parseEnv(
  env: Record<string, string | undefined>,
  appdataExists = existsSync(APPDATA),
): ServiceEnv {
  const problems: ConfigProblem[] = [];
  const get = (name: string, fallback: string) => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? fallback : v.trim();
  };

  const portText = get('UNRAID_MCP_PORT', '8765');
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    problems.push({
      file: 'environment',
      field: 'UNRAID_MCP_PORT',
      message: `"${portText}" is not a port number (0-65535)`,
    });
  }

  const dockerHost = get('DOCKER_HOST', 'unix:///var/run/docker.sock');
  const dockerSocket = dockerHost.startsWith('unix://')
    ? dockerHost.slice('unix://'.length)
    : dockerHost.startsWith('/')
      ? dockerHost
      : '';
  if (!dockerSocket) {
    problems.push({
      file: 'environment',
      field: 'DOCKER_HOST',
      message: `"${dockerHost}" is not supported: use unix:///path/to/docker.sock`,
    });
  }

  const logLevel = get('UNRAID_MCP_LOG_LEVEL', 'info');
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    problems.push({
      file: 'environment',
      field: 'UNRAID_MCP_LOG_LEVEL',
      message: `"${logLevel}" is not one of debug, info, warn, error`,
    });
  }

  const adminPortText = get('UNRAID_MCP_ADMIN_PORT', '');
  const adminPort =
    adminPortText === ''
      ? null
      : /^\d{1,5}$/.test(adminPortText) && Number(adminPortText) <= 65535
        ? Number(adminPortText)
        : NaN;
  if (Number.isNaN(adminPort)) {
    problems.push({
      file: 'environment',
      field: 'UNRAID_MCP_ADMIN_PORT',
      message: `"${adminPortText}" is not a port number (0-65535)`,
    });
  }

  const bindAllowlist = get('UNRAID_MCP_BIND_ALLOWLIST', '/mnt/user/appdata/*,/mnt/user/*/*')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of bindAllowlist) {
    const problem = allowlistEntryProblem(entry);
    if (problem) problems.push({ file: 'environment', field: 'UNRAID_MCP_BIND_ALLOWLIST', message: problem });
  }

  const vmShares: VmShares = {
    domainsDir: get('UNRAID_MCP_VM_DOMAINS_DIR', DEFAULT_VM_SHARES.domainsDir).replace(/(.)\/+$/, '$1'),
    isoDir: get('UNRAID_MCP_VM_ISO_DIR', DEFAULT_VM_SHARES.isoDir).replace(/(.)\/+$/, '$1'),
    bridge: get('UNRAID_MCP_VM_BRIDGE', DEFAULT_VM_SHARES.bridge),
  };
  for (const [field, dir] of [
    ['UNRAID_MCP_VM_DOMAINS_DIR', vmShares.domainsDir],
    ['UNRAID_MCP_VM_ISO_DIR', vmShares.isoDir],
  ] as const) {
    if (!dir.startsWith('/') || dir === '/' || dir.split('/').includes('..'))
      problems.push({
        file: 'environment',
        field,
        message: `"${dir}" must be an absolute folder other than / (without "..")`,
      });
  }
  if (!/^[A-Za-z0-9_.:-]{1,15}$/.test(vmShares.bridge))
    problems.push({
      file: 'environment',
      field: 'UNRAID_MCP_VM_BRIDGE',
      message: `"${vmShares.bridge}" is not a network interface name`,
    });

  const auditRamDir = get('UNRAID_MCP_AUDIT_RAM_DIR', '/var/log/unraid-mcp/audit');
  const auditPersistentDir = get('UNRAID_MCP_AUDIT_PERSISTENT_DIR', `${APPDATA}/unraid-mcp/audit`);
  const explicitAudit = env.UNRAID_MCP_AUDIT_DIR?.trim();
  const auditDir = explicitAudit || (appdataExists ? auditPersistentDir : auditRamDir);
  const auditPersistent = explicitAudit
    ? auditDir !== auditRamDir && !auditDir.startsWith('/var/log/')
    : appdataExists;

  if (problems.length) throw new ConfigError(problems);
  return {
    host: get('UNRAID_MCP_HOST', '0.0.0.0'),
    port,
    hostFromEnv: get('UNRAID_MCP_HOST', '') !== '',
    portFromEnv: get('UNRAID_MCP_PORT', '') !== '',
    configDir: get('UNRAID_MCP_CONFIG_DIR', '/boot/config/plugins/unraid-mcp'),
    stateDir: get('UNRAID_MCP_STATE_DIR', '/var/local/unraid-mcp'),
    auditDir,
    auditPersistent,
    auditRamDir,
    auditPersistentDir,
    procRoot: get('UNRAID_MCP_PROC_ROOT', '/proc'),
    sysRoot: get('UNRAID_MCP_SYS_ROOT', '/sys'),
    emhttpRoot: get('UNRAID_MCP_EMHTTP_ROOT', '/var/local/emhttp'),
    allowedHosts: get('UNRAID_MCP_ALLOWED_HOSTS', '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    dockerSocket,
    libvirtUri: get('LIBVIRT_URI', 'qemu:///system'),
    logLevel: logLevel as ServiceEnv['logLevel'],
    adminSocket: get('UNRAID_MCP_ADMIN_SOCKET', '/var/run/unraid-mcp/admin.sock'),
    adminPort,
    dockermanTemplates: get(
      'UNRAID_MCP_DOCKERMAN_TEMPLATES',
      '/boot/config/plugins/dockerMan/templates-user',
    ),
    updateContainerScript: get(
      'UNRAID_MCP_UPDATE_CONTAINER_SCRIPT',
      '/usr/local/emhttp/plugins/dynamix.docker.manager/scripts/update_container',
    ),
    bindAllowlist,
    vmShares,
    emhttpdSocket: get('UNRAID_MCP_EMHTTPD_SOCKET', '/var/run/emhttpd.socket'),
    parityLog: get('UNRAID_MCP_PARITY_LOG', '/boot/config/parity-checks.log'),
  };
}
