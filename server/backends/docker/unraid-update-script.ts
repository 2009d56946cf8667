import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { ToolError } from '../../errors/tool-error.js';

/** The WebGUI's own "update container" script: pulls and re-creates from the user's template. */
export const UNRAID_UPDATE_SCRIPT =
  '/usr/local/emhttp/plugins/dynamix.docker.manager/scripts/update_container';

/** True when `script` exists and may be run: the sign that this is an Unraid host. */
export async function canRunScript(script: string): Promise<boolean> {
  return access(script, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/**
 * Runs `update_container NAME` the way the Docker tab does: no shell, the name as one argument (the
 * script URL-decodes it and splits on `*`; container names hold neither `%` nor `*`). The script
 * reports to the WebGUI, not to stdout, and exits 0 even when it skips a container, so the caller
 * checks the container afterwards.
 */
export function runUpdateScript(
  script: string,
  name: string,
  opts: { signal: AbortSignal; timeoutMs: number },
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      script,
      [name],
      { signal: opts.signal, timeout: opts.timeoutMs, maxBuffer: 1024 * 1024, windowsHide: true },
      (err, stdout, stderr) => {
        if (!err) return resolve(String(stdout));
        if (opts.signal.aborted) return reject(opts.signal.reason as Error);
        const last = `${String(stderr)}\n${String(stdout)}`
          .split('\n')
          .map((l) => l.replace(/<[^>]*>/g, '').trim())
          .filter(Boolean)
          .at(-1);
        const how = (err as NodeJS.ErrnoException & { killed?: boolean }).killed
          ? `did not finish within ${opts.timeoutMs / 1000} s`
          : `failed (exit ${typeof err.code === 'number' ? err.code : '?'})`;
        reject(
          new ToolError(
            'update_failed',
            `Unraid's update_container ${how} for "${name}"${last ? `: ${last.slice(0, 300)}` : ''}. Check the Docker tab.`,
          ),
        );
      },
    );
  });
}
