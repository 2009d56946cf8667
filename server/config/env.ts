import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, type ConfigProblem } from '../errors/config-error.js';
import { DEFAULT_VM_SHARES, type VmShares } from './vm-shares.js';
import { allowlistEntryProblem } from './bind-allowlist.js';
import { readUnraidHostFiles, type UnraidHostFiles } from './unraid-host-files.js';
import { parseTcpAddress, type TcpAddress } from './tcp-address.js';
import {
  readUnraidControlEnv,
  UNRAID_CONTROL_ENV_DOCS,
  type UnraidControlEnv,
} from './unraid-control-env.js';

/**
 * Process settings from environment variables. Defaults suit an Unraid host; everything can be
 * pointed elsewhere so tests and the demo run on fixtures. Pure: main.ts passes process.env in.
 */
export interface ServiceEnv extends UnraidControlEnv {
  host: string;
  port: number;
  /**
   * Whether UNRAID_MCP_HOST / UNRAID_MCP_PORT were given. When not, the owner's settings (BIND, PORT
   * in unraid-mcp.cfg, edited in the WebGUI) decide; see listenAddress().
   */
  hostFromEnv: boolean;
  portFromEnv: boolean;
  /** UNRAID_MCP_HTTPS_PORT when given (0 picks a free port); otherwise HTTPS_PORT in unraid-mcp.cfg decides. */
  httpsPort: number | null;
  /** Where the WebGUI keeps its certificates; the HTTPS listener serves the same ones. */
  certsDir: string;
  configDir: string;
  stateDir: string;
  auditDir: string;
  /** False when the audit log lives in RAM (no array started yet) and will not survive a reboot. */
  auditPersistent: boolean;
  /** Where the audit log moves when the array stops (RAM) and back when it starts (appdata). */
  auditRamDir: string;
  auditPersistentDir: string;
  /** Where pending approvals are kept at start; they follow the audit log (RAM ⇄ appdata) from then on. */
  approvalsDir: string;
  approvalsRamDir: string;
  approvalsPersistentDir: string;
  /**
   * The folder that must already exist (and be writable) before anything moves to persistent storage:
   * the appdata folder, never created by us (while the array is stopped /mnt/user is the RAM root).
   */
  persistentRoot: string;
  /** Docker's appdata folder (docker.cfg DOCKER_APP_CONFIG_PATH, else /mnt/user/appdata). */
  appdataDir: string;
  /** var.ini says the array is started; null when there is no var.ini. */
  arrayStarted: boolean | null;
  /** The sidecar's own log file (rotated by size); null = JSON lines on stderr. */
  logFile: string | null;
  logFileMaxBytes: number;
  /** What could not be used in Unraid's docker.cfg / domain.cfg (defaults used instead); logged at start. */
  hostFileProblems: ConfigProblem[];
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
  /** The WebGUI's settings (notification folder); notify's script; the system log. */
  dynamixCfg: string;
  notifyScript: string;
  syslog: string;
  /** smartctl (disk_smart) and nvidia-smi (gpu_status): run with execFile, never through a shell. */
  smartctl: string;
  nvidiaSmi: string;
  /** Where ups_status asks apcupsd (its network information server) and NUT's upsd. */
  apcupsdAddr: TcpAddress;
  nutAddr: TcpAddress;
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
    name: 'UNRAID_MCP_HTTPS_PORT',
    default: '(unset)',
    meaning:
      'TCP port of the HTTPS listener (0 picks a free port); when unset, HTTPS_PORT in unraid-mcp.cfg decides.',
  },
  {
    name: 'UNRAID_MCP_CERTS_DIR',
    default: '/boot/config/ssl/certs',
    meaning:
      "Where the WebGUI's certificates are (certificate_bundle.pem from myunraid.net, or the self-signed <hostname>_unraid_bundle.pem); the HTTPS listener serves them and picks up a renewed one without a restart.",
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
    default:
      'UNRAID_MCP_AUDIT_PERSISTENT_DIR when the array is started (var.ini) and appdata exists and is writable, else UNRAID_MCP_AUDIT_RAM_DIR',
    meaning:
      'Audit log directory at start (never the flash drive). Set it only to pin the log to one place: the array hooks still move it.',
  },
  {
    name: 'UNRAID_MCP_AUDIT_RAM_DIR',
    default: '/var/log/unraid-mcp/audit',
    meaning: 'Where the audit log moves while the array is stopped (RAM, not persistent).',
  },
  {
    name: 'UNRAID_MCP_AUDIT_PERSISTENT_DIR',
    default:
      'APPDATA/unraid-mcp/audit (APPDATA: DOCKER_APP_CONFIG_PATH in docker.cfg, else /mnt/user/appdata)',
    meaning:
      'Where the audit log lives while the array is started; the array start hook moves it there (unraid-mcp storage persistent), and only when the appdata folder already exists and can be written.',
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
    name: 'UNRAID_MCP_LOG_FILE',
    default: '(unset: stderr)',
    meaning:
      'Write the log to this file instead, rotated by size (one older file kept as FILE.1). A full or unwritable disk never stops the service: lines are dropped, counted, and reported once writing works again.',
  },
  {
    name: 'UNRAID_MCP_LOG_FILE_MAX_BYTES',
    default: '1048576',
    meaning: 'Size at which UNRAID_MCP_LOG_FILE is rotated (at least 4096).',
  },
  {
    name: 'UNRAID_MCP_DOCKER_CFG',
    default: '/boot/config/docker.cfg',
    meaning:
      "Unraid's Docker settings, read at start: DOCKER_APP_CONFIG_PATH is the appdata folder holding the audit log and pending approvals while the array is started.",
  },
  {
    name: 'UNRAID_MCP_DOMAIN_CFG',
    default: '/boot/config/domain.cfg',
    meaning:
      "Unraid's VM Manager settings, read at start: DOMAINDIR, MEDIADIR and BRNAME are the defaults of the three UNRAID_MCP_VM_* variables.",
  },
  {
    name: 'UNRAID_MCP_APPROVALS_PERSISTENT_DIR',
    default: 'approvals beside UNRAID_MCP_AUDIT_PERSISTENT_DIR (/mnt/user/appdata/unraid-mcp/approvals)',
    meaning:
      'Where pending approvals are kept while the array is started; while it is stopped they are in UNRAID_MCP_STATE_DIR (RAM).',
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
  {
    name: 'UNRAID_MCP_DYNAMIX_CFG',
    default: '/boot/config/plugins/dynamix/dynamix.cfg',
    meaning:
      "The WebGUI's settings; the notification tools read the notification folder from its [notify] path (default /tmp/notifications).",
  },
  {
    name: 'UNRAID_MCP_NOTIFY_SCRIPT',
    default: '/usr/local/emhttp/webGui/scripts/notify',
    meaning:
      "Unraid's notify script, used by notification_create; where it does not exist the notification files are written directly.",
  },
  {
    name: 'UNRAID_MCP_SYSLOG',
    default: '/var/log/syslog',
    meaning: 'The system log read by syslog_read (and its rotated copy, the same path with .1).',
  },
  ...UNRAID_CONTROL_ENV_DOCS,
  {
    name: 'UNRAID_MCP_SMARTCTL',
    default: '/usr/sbin/smartctl',
    meaning: 'smartctl binary disk_smart runs (always with -n standby, so a spun-down disk is not woken).',
  },
  {
    name: 'UNRAID_MCP_NVIDIA_SMI',
    default: '/usr/bin/nvidia-smi',
    meaning: 'nvidia-smi binary gpu_status runs when present (the Nvidia Driver plugin installs it).',
  },
  {
    name: 'UNRAID_MCP_APCUPSD_ADDR',
    default: '127.0.0.1:3551',
    meaning: "apcupsd's network information server (Unraid's built-in UPS daemon), asked by ups_status.",
  },
  {
    name: 'UNRAID_MCP_NUT_ADDR',
    default: '127.0.0.1:3493',
    meaning: "NUT's upsd (the NUT plugin), asked by ups_status.",
  },
];

const APPDATA = '/mnt/user/appdata';

/**
 * `persistentAvailable` (tests) overrides the start placement: by default the audit log and pending
 * approvals start on appdata when var.ini says the array is started (or there is no var.ini) and the
 * appdata folder exists. `hostFiles` (tests) replaces reading docker.cfg, domain.cfg and var.ini.
 */
export function parseEnv(
  env: Record<string, string | undefined>,
  persistentAvailable?: boolean,
  hostFiles?: UnraidHostFiles,
): ServiceEnv {
  const problems: ConfigProblem[] = [];
  const get = (name: string, fallback: string) => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? fallback : v.trim();
  };
  const host =
    hostFiles ??
    readUnraidHostFiles({
      dockerCfg: get('UNRAID_MCP_DOCKER_CFG', '/boot/config/docker.cfg'),
      domainCfg: get('UNRAID_MCP_DOMAIN_CFG', '/boot/config/domain.cfg'),
      varIni: `${get('UNRAID_MCP_EMHTTP_ROOT', '/var/local/emhttp')}/var.ini`,
    });
  const appdataDir = host.appdataDir ?? APPDATA;

  const portText = get('UNRAID_MCP_PORT', '8765');
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    problems.push({
      file: 'environment',
      field: 'UNRAID_MCP_PORT',
      message: `"${portText}" is not a port number (0-65535)`,
    });
  }

  const httpsPortText = get('UNRAID_MCP_HTTPS_PORT', '');
  const httpsPort =
    httpsPortText === ''
      ? null
      : /^\d{1,5}$/.test(httpsPortText) && Number(httpsPortText) <= 65535
        ? Number(httpsPortText)
        : NaN;
  if (Number.isNaN(httpsPort)) {
    problems.push({
      file: 'environment',
      field: 'UNRAID_MCP_HTTPS_PORT',
      message: `"${httpsPortText}" is not a port number (0-65535)`,
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
    domainsDir: get(
      'UNRAID_MCP_VM_DOMAINS_DIR',
      host.vmShares.domainsDir ?? DEFAULT_VM_SHARES.domainsDir,
    ).replace(/(.)\/+$/, '$1'),
    isoDir: get('UNRAID_MCP_VM_ISO_DIR', host.vmShares.isoDir ?? DEFAULT_VM_SHARES.isoDir).replace(
      /(.)\/+$/,
      '$1',
    ),
    bridge: get('UNRAID_MCP_VM_BRIDGE', host.vmShares.bridge ?? DEFAULT_VM_SHARES.bridge),
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
  const auditPersistentDir = get('UNRAID_MCP_AUDIT_PERSISTENT_DIR', `${appdataDir}/unraid-mcp/audit`);
  const explicitAudit = env.UNRAID_MCP_AUDIT_DIR?.trim();
  const persistentRoot = auditPersistentDir.startsWith(`${appdataDir}/`)
    ? appdataDir
    : dirname(auditPersistentDir);
  const appdataExists = persistentAvailable ?? (host.arrayStarted !== false && existsSync(persistentRoot));
  const auditDir = explicitAudit || (appdataExists ? auditPersistentDir : auditRamDir);
  const auditPersistent = explicitAudit
    ? auditDir !== auditRamDir && !auditDir.startsWith('/var/log/')
    : appdataExists;
  const stateDir = get('UNRAID_MCP_STATE_DIR', '/var/local/unraid-mcp');
  const approvalsPersistentDir = get(
    'UNRAID_MCP_APPROVALS_PERSISTENT_DIR',
    `${dirname(auditPersistentDir)}/approvals`,
  );
  // An explicit UNRAID_MCP_AUDIT_DIR (a fixed place, as tests and the demo use) keeps approvals in the
  // state folder as before; otherwise they start where the audit log starts.
  const approvalsDir = !explicitAudit && appdataExists ? approvalsPersistentDir : stateDir;
  const logFile = get('UNRAID_MCP_LOG_FILE', '') || null;
  const logMaxText = get('UNRAID_MCP_LOG_FILE_MAX_BYTES', '1048576');
  const logFileMaxBytes = /^\d{1,12}$/.test(logMaxText) ? Number(logMaxText) : NaN;
  if (!(logFileMaxBytes >= 4096))
    problems.push({
      file: 'environment',
      field: 'UNRAID_MCP_LOG_FILE_MAX_BYTES',
      message: `"${logMaxText}" is not a size in bytes of at least 4096`,
    });
  if (logFile !== null && !logFile.startsWith('/'))
    problems.push({
      file: 'environment',
      field: 'UNRAID_MCP_LOG_FILE',
      message: `"${logFile}" must be an absolute path`,
    });

  const upsAddress = (field: string, fallback: string): TcpAddress => {
    const parsed = parseTcpAddress(get(field, fallback));
    if (typeof parsed !== 'string') return parsed;
    problems.push({ file: 'environment', field, message: parsed });
    return { host: '', port: 0 };
  };
  const apcupsdAddr = upsAddress('UNRAID_MCP_APCUPSD_ADDR', '127.0.0.1:3551');
  const nutAddr = upsAddress('UNRAID_MCP_NUT_ADDR', '127.0.0.1:3493');
  const unraidControl = readUnraidControlEnv(get, problems);

  if (problems.length) throw new ConfigError(problems);
  return {
    ...unraidControl,
    host: get('UNRAID_MCP_HOST', '0.0.0.0'),
    port,
    hostFromEnv: get('UNRAID_MCP_HOST', '') !== '',
    portFromEnv: get('UNRAID_MCP_PORT', '') !== '',
    httpsPort,
    certsDir: get('UNRAID_MCP_CERTS_DIR', '/boot/config/ssl/certs').replace(/(.)\/+$/, '$1'),
    configDir: get('UNRAID_MCP_CONFIG_DIR', '/boot/config/plugins/unraid-mcp'),
    stateDir,
    auditDir,
    auditPersistent,
    auditRamDir,
    auditPersistentDir,
    approvalsDir,
    approvalsRamDir: stateDir,
    approvalsPersistentDir,
    persistentRoot,
    appdataDir,
    arrayStarted: host.arrayStarted,
    logFile,
    logFileMaxBytes,
    hostFileProblems: host.problems,
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
    dynamixCfg: get('UNRAID_MCP_DYNAMIX_CFG', '/boot/config/plugins/dynamix/dynamix.cfg'),
    notifyScript: get('UNRAID_MCP_NOTIFY_SCRIPT', '/usr/local/emhttp/webGui/scripts/notify'),
    syslog: get('UNRAID_MCP_SYSLOG', '/var/log/syslog'),
    smartctl: get('UNRAID_MCP_SMARTCTL', '/usr/sbin/smartctl'),
    nvidiaSmi: get('UNRAID_MCP_NVIDIA_SMI', '/usr/bin/nvidia-smi'),
    apcupsdAddr,
    nutAddr,
  };
}
