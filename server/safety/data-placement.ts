import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import type { Logger } from '../log.js';
import type { AuditLog, RelocationReport } from './audit/audit-log.js';
import type { ApprovalsMove, PendingApprovals } from './confirm/pending-approvals.js';

/**
 * Where the audit log and the pending approvals live: on appdata while the array is started, in RAM
 * while it is stopped (Unraid cannot unmount a disk a process holds a file open on). The array's
 * event hooks move them (`unraid-mcp storage persistent|ram`); the service's start picks the place
 * (startPlacement) the same way.
 *
 * Appdata is used only when its folder already exists and can be written: while the array is stopped
 * /mnt/user is a folder in RAM, and creating appdata there would look persistent and not be. When it
 * cannot be used, both stay in RAM and `problem` says why (the hook's output, syslog, and the admin
 * status show it).
 */
export type Location = 'ram' | 'persistent';

export interface PlacementDirs {
  auditRam: string;
  auditPersistent: string;
  approvalsRam: string;
  approvalsPersistent: string;
  /** Must exist before anything moves to persistent storage (the appdata folder); never created here. */
  persistentRoot: string;
}

export interface PlacementStatus {
  location: Location;
  /**
   * Why the data is in RAM although appdata was asked for (or why the approvals did not follow the
   * audit log), as a sentence fragment starting in lower case; null otherwise.
   */
  problem: string | null;
  /** When the last move (or the start) happened. */
  since: string;
}

export interface PlacementReport extends PlacementStatus {
  /** True when persistent storage was asked for and the data stayed in RAM. */
  stayedInRam: boolean;
  audit: RelocationReport | null;
  approvals: ApprovalsMove | null;
}

/** Why `root` cannot hold persistent data now, or null when it can. */
export async function persistentRootProblem(root: string): Promise<string | null> {
  try {
    const st = await stat(root);
    if (!st.isDirectory()) return `the appdata folder ${root} is not a folder`;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? `the appdata folder ${root} does not exist (is the array started?)`
      : `the appdata folder ${root} cannot be read (${code ?? (err as Error).message})`;
  }
  try {
    await access(root, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EROFS'
      ? `the appdata folder ${root} is on a read-only file system`
      : `the appdata folder ${root} cannot be written (${code ?? (err as Error).message})`;
  }
  return null;
}

/** Where the service starts: the place env chose, unless appdata was chosen and cannot be used now. */
export interface StartPlacement {
  auditDir: string;
  auditPersistent: boolean;
  approvalsDir: string;
  location: Location;
  problem: string | null;
  /** The other place's folders, whose leftovers (a move the service was not running for) are taken in. */
  leftovers: { audit: string | null; approvals: string | null };
}

export async function startPlacement(env: {
  auditDir: string;
  auditPersistent: boolean;
  auditRamDir: string;
  auditPersistentDir: string;
  approvalsDir: string;
  approvalsRamDir: string;
  persistentRoot: string;
}): Promise<StartPlacement> {
  const onAppdata = env.auditPersistent && env.auditDir === env.auditPersistentDir;
  const problem = onAppdata ? await persistentRootProblem(env.persistentRoot) : null;
  if (problem)
    return {
      auditDir: env.auditRamDir,
      auditPersistent: false,
      approvalsDir: env.approvalsRamDir,
      location: 'ram',
      problem,
      leftovers: { audit: null, approvals: null },
    };
  return {
    auditDir: env.auditDir,
    auditPersistent: env.auditPersistent,
    approvalsDir: env.approvalsDir,
    location: env.auditPersistent ? 'persistent' : 'ram',
    problem: null,
    leftovers: {
      audit: env.auditPersistent && env.auditRamDir !== env.auditDir ? env.auditRamDir : null,
      approvals: env.approvalsDir !== env.approvalsRamDir ? env.approvalsRamDir : null,
    },
  };
}

export class DataPlacement {
  private location: Location;
  private problem: string | null;
  private since: Date;
  private serial: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly opts: {
      audit: AuditLog;
      pending: PendingApprovals;
      dirs: PlacementDirs;
      log: Logger;
      start: { location: Location; problem: string | null };
      now?: () => Date;
    },
  ) {
    this.location = opts.start.location;
    this.problem = opts.start.problem;
    this.since = this.now();
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  status(): PlacementStatus {
    return { location: this.location, problem: this.problem, since: this.since.toISOString() };
  }

  /**
   * Moves both to `to`, one move at a time. Resolves once the files are closed in the old place:
   * after a move to RAM nothing of the sidecar's is open under the persistent folders. A move to
   * appdata that cannot happen leaves both in RAM and resolves with `stayedInRam` and the reason;
   * any other failure rejects (the audit log keeps writing where it was).
   */
  move(to: Location): Promise<PlacementReport> {
    const run = this.serial.then(() => this.moveNow(to));
    this.serial = run.catch(() => {});
    return run;
  }

  private async moveNow(to: Location): Promise<PlacementReport> {
    const { audit, pending, dirs, log } = this.opts;
    if (to === 'persistent') {
      const problem = await persistentRootProblem(dirs.persistentRoot);
      if (problem) return this.stay(problem);
    }
    const auditDir = to === 'ram' ? dirs.auditRam : dirs.auditPersistent;
    const approvalsDir = to === 'ram' ? dirs.approvalsRam : dirs.approvalsPersistent;
    let auditReport: RelocationReport;
    try {
      auditReport = await audit.relocate(auditDir, to === 'persistent');
    } catch (err) {
      if (to === 'persistent' && audit.directory === dirs.auditRam)
        return this.stay(`the audit log could not be moved to ${auditDir}: ${(err as Error).message}`);
      throw err;
    }
    let approvals: ApprovalsMove;
    try {
      approvals = await pending.relocate(approvalsDir);
    } catch (err) {
      // The audit log has moved; the approvals journal stays where it was and is retried at the next move.
      const message = `pending approvals could not be moved to ${approvalsDir}: ${(err as Error).message}`;
      log.error(message);
      this.set(to, message);
      return { ...this.status(), stayedInRam: false, audit: auditReport, approvals: null };
    }
    this.set(to, null);
    log.info('audit log and pending approvals moved', { to, auditDir, approvalsDir });
    return { ...this.status(), stayedInRam: false, audit: auditReport, approvals };
  }

  private set(location: Location, problem: string | null): void {
    this.location = location;
    this.problem = problem;
    this.since = this.now();
  }

  private stay(problem: string): PlacementReport {
    this.opts.log.warn('persistent storage not used', { problem });
    const inRam = !this.opts.audit.status().persistent;
    this.set(inRam ? 'ram' : 'persistent', problem);
    return { ...this.status(), stayedInRam: inRam, audit: null, approvals: null };
  }
}
