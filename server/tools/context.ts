import type Docker from 'dockerode';
import type { HostReader } from '../backends/host/host-reader.js';
import type { Logger } from '../log.js';
import type { LibvirtClient } from '../backends/vm/libvirt-client.js';
import type { VmShares } from '../config/vm-shares.js';
import type { UnraidControlEnv } from '../config/unraid-control-env.js';
import type { ResolvedTarget } from '../vocabulary.js';
import type { ProtectedBy } from '../config/policy/compile-policy.js';
import type { ServiceSettings } from '../config/settings.js';

/**
 * Where things are on this host, from the environment (config/env.ts, with Unraid's paths as defaults).
 * Tools read them here rather than being built with them, so the registry is one list for every host.
 */
export interface HostLayout {
  /** dockerMan's user-template folder: when it exists the host is Unraid and container templates are kept. */
  dockerTemplatesDir: string;
  /** Unraid's update_container script, used by docker_update for containers that have a template. */
  updateContainerScript: string;
  /** Host folders docker_create may bind. */
  bindAllowlist: ReadonlyArray<string>;
  /** Where VM disks and ISOs live, and the bridge new VMs join. */
  vmShares: VmShares;
  /** Unraid's control paths for the `unraid` tools; absent in contexts built without them. */
  unraid?: UnraidLayout;
}

/**
 * emhttpd's socket, var.ini (for its csrf_token, read per command) and the parity history on the flash
 * drive; with the array, plugin, User Scripts and power tools' paths (UnraidControlEnv).
 */
export interface UnraidLayout extends UnraidControlEnv {
  emhttpdSocket: string;
  varIni: string;
  parityLog: string;
  /** The WebGUI's dynamix.cfg: its [notify] section says where notifications are kept (read per call). */
  dynamixCfg: string;
  /** Unraid's notify script; notification_create writes the files itself where it does not exist. */
  notifyScript: string;
  /** The system log syslog_read reads (and `<syslog>.1`, the rotated one). */
  syslog: string;
  /** emhttp's disk list (name → device, spun down), read fresh by the disk_* tools. */
  disksIni: string;
  /** Binaries run with execFile (no shell): disk_smart's smartctl, gpu_status's nvidia-smi. */
  smartctl: string;
  nvidiaSmi: string;
  /** ups_status: apcupsd's network information server and NUT's upsd. */
  apcupsd: { host: string; port: number };
  nut: { host: string; port: number };
  /** gpu_status: /proc/<pid>/cgroup (which container runs a GPU process) and /sys/class/drm. */
  procRoot: string;
  sysRoot: string;
}

/** How docker_update swaps containers; tests shorten the wait and break the new container on purpose. */
export interface RecreateTuning {
  /** How long a re-created container must keep running before the old one is removed. */
  settleMs: number;
  /** Changes the new container's create body (tests make it fail, to exercise the rollback). */
  adjustNewContainer?: (create: Docker.ContainerCreateOptions) => Docker.ContainerCreateOptions;
}

/** Backends and services a tool may use. Built once in service.ts and passed down; tests build their own. */
export interface ToolDeps {
  host: HostReader;
  /** The Docker client, loaded on first use. */
  docker: () => Promise<Docker>;
  /** The libvirt connection (opened on first use, re-opened after libvirtd restarts) and virsh on the same URI. */
  libvirt: LibvirtClient;
  log: Logger;
  layout: HostLayout;
  recreate: RecreateTuning;
  now: () => Date;
  /** The owner's settings in force now, for tools a setting switches on (the power tools); absent = defaults. */
  settings?: () => Pick<ServiceSettings, 'powerTools'>;
}

/** Per-call context handed to a tool's `run`. */
export interface ToolContext {
  deps: ToolDeps;
  /** Aborted when the client cancels or the session closes; pass it into every backend call. */
  signal: AbortSignal;
  /** Sends a progress notification when the client asked for them; a no-op otherwise. */
  progress: (progress: number, total?: number, message?: string) => Promise<void>;
  /** The declared target as the wrapper resolved (and checked) it; null for tools without a target. */
  target: ResolvedTarget | null;
  /** The result size cap, for tools that shorten their own output in a smarter order than the wrapper. */
  responseCapBytes: number;
  /** False for a container or VM the owner's filters hide: list tools leave those out. */
  visible: (kind: 'container' | 'vm', name: string) => boolean;
  /** Why the owner protected a container or VM (its label, or a protected list entry); null when not protected. */
  protectedBy: (
    kind: 'container' | 'vm',
    name: string,
    labels?: Readonly<Record<string, string>>,
  ) => ProtectedBy | null;
}
