import { execFile } from 'node:child_process';
import { BackendUnavailableError } from '../../errors/backend-unavailable-error.js';
import { ToolError } from '../../errors/tool-error.js';
import { toVmError } from './vm-errors.js';

export interface VirshOptions {
  signal: AbortSignal;
  /** Kills virsh after this long; libvirt itself may still finish what it started. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Runs one virsh command for what the binding cannot do (snapshots, reboot, autostart, undefine with
 * flags). Always execFile with an argument array — names with spaces, quotes or `;` reach virsh as
 * one argument and never a shell. Domains are passed by UUID, so a name cannot be mistaken for an
 * option. Returns stdout; failures become the same errors as binding calls.
 */
export function runVirsh(
  uri: string,
  args: ReadonlyArray<string>,
  what: string,
  { signal, timeoutMs = DEFAULT_TIMEOUT_MS }: VirshOptions,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'virsh',
      ['--quiet', '--connect', uri, ...args],
      // LC_ALL=C: messages are matched in English; the log noise of the test driver goes to stderr only.
      { signal, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const e = err as NodeJS.ErrnoException & { killed?: boolean };
        if (e.code === 'ENOENT')
          return reject(
            new BackendUnavailableError(
              'virsh is not installed on this server, so this VM operation is not available.',
            ),
          );
        if (signal.aborted)
          return reject(
            new ToolError(
              'cancelled',
              `The call was cancelled while virsh was running (${what}); libvirt may still finish it.`,
            ),
          );
        if (e.killed)
          return reject(
            new ToolError(
              'timeout',
              `virsh did not finish ${what} within ${Math.round(timeoutMs / 1000)} s; libvirt may still be working on it.`,
            ),
          );
        const errors = stderr
          .split('\n')
          .filter((l) => l.startsWith('error:'))
          .join('\n');
        reject(toVmError(new Error(errors || stderr.trim() || e.message), what));
      },
    );
  });
}
