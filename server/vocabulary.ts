/**
 * The words every layer shares: token scopes, toolsets, confirmation modes and target references.
 * It sits at the bottom so that config, safety, backends and tools can all speak them without
 * importing one another.
 */

import type { CallToolResult, InputRequiredResult } from '@modelcontextprotocol/server';

/**
 * Token scopes. They are ordered: a token with `admin` may do what `operate` and `read` may.
 * Keeping them ordered (not a free set) means a token can never hold "admin but not read".
 */
/**
 * What a tool call answers: its result, or — on the 2026-07-28 revision — a question for the user
 * (input_required) or a task the client polls (the Tasks extension).
 */
export type CallAnswer = CallToolResult | InputRequiredResult | TaskCreated;

/** A task's state as the Tasks extension (2026-07-28) shows it. */
export interface TaskState {
  taskId: string;
  status: 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';
  statusMessage?: string;
  createdAt: string;
  lastUpdatedAt: string;
  ttlMs: number | null;
  pollIntervalMs?: number;
}

/** A task handle (`resultType: "task"`): where the client polls for the call's result. */
export type TaskCreated = TaskState & { resultType: 'task' };

export const SCOPES = ['read', 'operate', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const RANK: Record<Scope, number> = { read: 0, operate: 1, admin: 2 };

/** True when a token holding `held` may call something that needs `needed`. */
export function scopeAllows(held: Scope, needed: Scope): boolean {
  return RANK[held] >= RANK[needed];
}

/** A group of tools the owner switches on or off as a whole (Settings → unraid-mcp → Access). */
export interface ToolsetInfo {
  id: string;
  title: string;
  description: string;
  /** On in a fresh install. */
  default: boolean;
}

/** Every toolset, in the order clients list their tools. */
export const TOOLSETS = [
  {
    id: 'system',
    title: 'Server health',
    description: 'CPU, memory, temperatures, array, disks and shares (read-only).',
    default: true,
  },
  {
    id: 'docker',
    title: 'Docker',
    description: 'Containers, images and networks: list, inspect, logs, start, stop, create, update, remove.',
    default: true,
  },
  {
    id: 'vm',
    title: 'Virtual machines',
    description: 'libvirt VMs: list, inspect, start, stop, snapshots, create, delete.',
    default: true,
  },
  {
    id: 'unraid',
    title: 'Unraid server',
    description:
      'The server the Unraid way, through emhttpd and its own files: parity checks, array start/stop, notifications, ' +
      'syslog, SMART and disk spin, UPS, GPUs, plugins, User Scripts, reboot and shutdown.',
    // Off until the owner switches it on (Access): it operates the array, and an update must not hand
    // that to tokens made before it existed.
    default: false,
  },
] as const satisfies ReadonlyArray<ToolsetInfo>;

export type Toolset = (typeof TOOLSETS)[number]['id'];

/** The toolset ids in registry order, as a tuple zod's enum accepts. */
export const TOOLSET_IDS = TOOLSETS.map((t) => t.id) as [Toolset, ...Toolset[]];

/** The toolsets a fresh install switches on. */
export const DEFAULT_TOOLSETS: ReadonlyArray<Toolset> = TOOLSETS.filter((t) => t.default).map((t) => t.id);

/**
 * How a writing tool is confirmed. `none` runs at once; `token` returns a description and a
 * single-use token the agent must send back; `approve` waits for the owner to approve in the WebGUI.
 */
export const CONFIRM_MODES = ['none', 'token', 'approve'] as const;
export type ConfirmMode = (typeof CONFIRM_MODES)[number];

/** The kinds of thing a tool can act on. */
export type TargetKind = 'container' | 'vm' | 'network' | 'image' | 'host';

/** What a tool acts on, so the call pipeline can resolve and check it before the tool runs. */
export interface TargetRef {
  kind: TargetKind;
  /** As the caller gave it: a name, an ID or a unique ID prefix. The pipeline resolves it to a name. */
  ref: string;
}

/** A tool's target after resolution: policy rules are checked against `name`, never the raw reference. */
export interface ResolvedTarget {
  kind: TargetKind;
  id: string;
  name: string;
  labels: Record<string, string>;
}
