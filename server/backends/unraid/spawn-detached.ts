import { spawn } from 'node:child_process';
import { BackendUnavailableError } from '../../errors/backend-unavailable-error.js';

/** What cron gives the jobs it starts: the program does not inherit unraid-mcp's own environment. */
function cronLikeEnv(): NodeJS.ProcessEnv {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: process.env.HOME ?? '/root',
    SHELL: '/bin/sh',
  };
}

/**
 * Starts a program in its own session, without a shell and with no stdio tied to this process, and
 * returns once it has started: it outlives the call, and a restart of unraid-mcp does not stop it.
 * `what` names it in errors ("The User Scripts runner", "The reboot command").
 */
export function spawnDetached(command: string, args: ReadonlyArray<string>, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { detached: true, stdio: 'ignore', env: cronLikeEnv() });
    child.once('spawn', () => {
      child.unref();
      resolve(child.pid ?? 0);
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        new BackendUnavailableError(
          err.code === 'ENOENT'
            ? `${what} was not found on this server, so nothing was started.`
            : err.code === 'EACCES'
              ? `${what} could not be run (permission denied), so nothing was started.`
              : `${what} could not be started (${err.code ?? 'error'}).`,
        ),
      );
    });
  });
}
