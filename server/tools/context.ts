import type Docker from 'dockerode';
import type { HostReader } from '../backends/host/host-reader.js';
import type { Logger } from '../log.js';
import type { LibvirtClient } from '../backends/vm/libvirt-client.js';
import type { ResolvedTarget } from '../vocabulary.js';

/** Backends and services a tool may use. Built once in main.ts and passed down; tests build their own. */
export interface ToolDeps {
  host: HostReader;
  /** The Docker client, loaded on first use. */
  docker: () => Promise<Docker>;
  /** The libvirt connection (opened on first use, re-opened after libvirtd restarts) and virsh on the same URI. */
  libvirt: LibvirtClient;
  log: Logger;
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
}
