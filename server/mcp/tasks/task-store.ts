import { randomBytes } from 'node:crypto';
import type { CallAnswer, TaskCreated, TaskState } from '../../vocabulary.js';

/** The Tasks extension's identifier (2026-07-28): declared in capabilities by both sides. */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/** A task as tasks/get shows it: its state, and the result or error once it has ended. */
export type TaskView = TaskState & {
  result?: CallAnswer;
  error?: { code: number; message: string; data?: unknown };
};

interface Entry {
  view: TaskView;
  tokenId: string;
  abort: AbortController;
  /** When the entry may be forgotten (terminal tasks only). */
  forgetAt: number | null;
}

/** How often a client should poll: approvals are human-paced. */
const POLL_INTERVAL_MS = 2_000;
/** How long an ended task's result stays available to poll. */
const KEEP_ENDED_MS = 15 * 60_000;
/** Upper bound on remembered tasks; the oldest ended ones go first. */
const MAX_TASKS = 2_000;

/**
 * Tasks for calls that wait on the owner (the Tasks extension, 2026-07-28). In memory: a task lives
 * as long as its approval can (the pending approval itself is journalled), and a restart loses only
 * the handle; the client then calls again with the confirmation_id its task's status message named.
 * Task ids are 144 random bits and bound to the token that started them: another token's task is
 * "not found", never shown.
 */
export class TaskStore {
  private readonly tasks = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Starts `run` in the background and returns the handle at once: the task is in the store (a
   * tasks/get for it resolves) before the handle is returned.
   */
  start(
    tokenId: string,
    statusMessage: string,
    ttlMs: number,
    run: (signal: AbortSignal) => Promise<CallAnswer>,
  ): TaskCreated {
    this.prune();
    const at = new Date(this.now()).toISOString();
    const view: TaskView = {
      taskId: `task_${randomBytes(18).toString('base64url')}`,
      status: 'working',
      statusMessage,
      createdAt: at,
      lastUpdatedAt: at,
      ttlMs: ttlMs + KEEP_ENDED_MS,
      pollIntervalMs: POLL_INTERVAL_MS,
    };
    const entry: Entry = { view, tokenId, abort: new AbortController(), forgetAt: null };
    this.tasks.set(view.taskId, entry);
    run(entry.abort.signal).then(
      (result) =>
        this.end(
          entry,
          cancelledBy(entry, result) ? { status: 'cancelled' } : { status: 'completed', result },
        ),
      (err: unknown) => this.end(entry, { status: 'failed', error: jsonRpcError(err) }),
    );
    return { resultType: 'task', ...copy(view) };
  }

  /** The task as its token may see it; undefined for an unknown task or another token's. */
  get(taskId: string, tokenId: string): TaskView | undefined {
    this.prune();
    const entry = this.tasks.get(taskId);
    return entry && entry.tokenId === tokenId ? copy(entry.view) : undefined;
  }

  /** Asks the task to stop (cooperative: an approved call that already runs finishes). False when unknown. */
  cancel(taskId: string, tokenId: string): boolean {
    const entry = this.tasks.get(taskId);
    if (!entry || entry.tokenId !== tokenId) return false;
    entry.abort.abort(new Error('The client cancelled the task.'));
    return true;
  }

  /** Stops every running task (service shutdown). */
  abortAll(reason: Error): void {
    for (const entry of this.tasks.values()) entry.abort.abort(reason);
  }

  private end(entry: Entry, outcome: Pick<TaskView, 'status' | 'result' | 'error'>): void {
    Object.assign(entry.view, outcome, {
      lastUpdatedAt: new Date(this.now()).toISOString(),
      statusMessage: outcome.status === 'cancelled' ? 'Cancelled by the client.' : entry.view.statusMessage,
    });
    entry.forgetAt = this.now() + KEEP_ENDED_MS;
  }

  private prune(): void {
    const now = this.now();
    for (const [id, e] of this.tasks) if (e.forgetAt !== null && e.forgetAt <= now) this.tasks.delete(id);
    for (const [id, e] of this.tasks) {
      if (this.tasks.size < MAX_TASKS) break;
      if (e.forgetAt !== null) this.tasks.delete(id);
    }
  }
}

function copy(view: TaskView): TaskView {
  return { ...view };
}

/** A call the client cancelled before its tool ran ends as "cancelled", not as a result. */
function cancelledBy(entry: Entry, result: CallAnswer): boolean {
  return entry.abort.signal.aborted && 'isError' in result && result.isError === true;
}

function jsonRpcError(err: unknown): { code: number; message: string; data?: unknown } {
  const e = err as { code?: unknown; message?: unknown; data?: unknown };
  return {
    code: typeof e?.code === 'number' ? e.code : -32603,
    message: typeof e?.message === 'string' ? e.message : 'Internal error',
    ...(e?.data !== undefined ? { data: e.data } : {}),
  };
}
