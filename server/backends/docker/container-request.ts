/** "private" or "host" (ipc also "shareable" or "none"); the create policy refuses "host". */
type NamespaceMode = string;

/**
 * A container to create, as docker_create takes it (validated by its schema in
 * tools/docker/shared/container-request.ts; defaults filled in). The create policy judges it and
 * container-spec.ts turns what the policy accepted into Docker's create body.
 */
export interface ContainerRequest {
  name: string;
  image: string;
  command?: string[];
  entrypoint?: string[];
  /** A list of "KEY=value", or a map. */
  env?: string[] | Record<string, string>;
  labels?: Record<string, string>;
  ports?: Array<{
    container_port: number;
    protocol: 'tcp' | 'udp' | 'sctp';
    host_port?: number;
    host_ip?: string;
  }>;
  binds?: Array<{ host: string; container: string; read_only: boolean }>;
  volumes?: Array<{ name: string; container: string; read_only: boolean }>;
  network?: string;
  ip_address?: string;
  restart?: 'no' | 'always' | 'unless-stopped' | 'on-failure';
  restart_max_retries?: number;
  /** Bytes, or a size such as "512m". */
  memory?: number | string;
  cpus?: number;
  pids_limit?: number;
  devices?: Array<{ host: string; container?: string; permissions: string }>;
  gpus?: 'all' | { count?: number; device_ids?: string[]; driver?: string };
  cap_add?: string[];
  cap_drop?: string[];
  security_opt?: string[];
  sysctls?: Record<string, string>;
  privileged?: boolean;
  pid_mode?: NamespaceMode;
  ipc_mode?: NamespaceMode;
  uts_mode?: NamespaceMode;
  userns_mode?: NamespaceMode;
  cgroupns_mode?: NamespaceMode;
  /** Container names, optionally with ":ro" or ":rw". */
  volumes_from?: string[];
  user?: string;
  working_dir?: string;
  init: boolean;
  start: boolean;
}
