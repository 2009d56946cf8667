import { execFile } from 'node:child_process';
import { BackendUnavailableError } from '../../errors/backend-unavailable-error.js';
import { ToolError } from '../../errors/tool-error.js';

/** What smartctl printed and how it exited; its exit status is a bit mask, not success/failure. */
export interface SmartctlOutput {
  exitStatus: number;
  /** The parsed --json document. */
  json: Record<string, unknown>;
}

/** A full -a report of one drive is ~40 KB; far more means something else is answering. */
const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;
/** A drive busy with a self-test or a heavy write answers slowly; longer is a hung controller. */
export const SMARTCTL_TIMEOUT_MS = 30_000;
/** emhttp's device names: sdc, nvme0n1, md1p1 — never a path. */
const DEVICE = /^[a-z][a-z0-9]{1,31}$/;

/**
 * Runs `smartctl -n standby --json -a /dev/<device>` with execFile (no shell), bounded in time and
 * output. `-n standby` makes smartctl leave a disk in standby or sleep alone and exit with bit 1 set
 * instead of waking it. Any exit status comes back with the JSON; only no JSON at all is an error.
 */
export function runSmartctl(
  binary: string,
  device: string,
  signal?: AbortSignal,
  timeoutMs = SMARTCTL_TIMEOUT_MS,
): Promise<SmartctlOutput> {
  if (!DEVICE.test(device))
    return Promise.reject(
      new ToolError(
        'invalid_device',
        `emhttp lists the device as "${device}", which is not a device name smartctl is given here. Nothing was run.`,
      ),
    );
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      ['-n', 'standby', '--json', '-a', `/dev/${device}`],
      {
        signal,
        timeout: timeoutMs,
        maxBuffer: MAX_OUTPUT_BYTES,
        env: { ...process.env, LC_ALL: 'C' },
        windowsHide: true,
      },
      (err, stdout) => {
        const e = err as (NodeJS.ErrnoException & { killed?: boolean; code?: unknown }) | null;
        if (e && typeof e.code !== 'number') {
          if (e.code === 'ENOENT')
            return reject(
              new BackendUnavailableError(
                'smartctl is not installed where unraid-mcp looks for it (UNRAID_MCP_SMARTCTL), so SMART data cannot be read.',
              ),
            );
          if (e.code === 'EACCES')
            return reject(new BackendUnavailableError('smartctl could not be run (permission denied).'));
          if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
            return reject(
              new ToolError(
                'smartctl_output',
                `smartctl printed more than ${MAX_OUTPUT_BYTES / 1024 / 1024} MiB for /dev/${device}; its answer was not read.`,
              ),
            );
          if (signal?.aborted)
            return reject(new ToolError('cancelled', 'The call was cancelled while smartctl was running.'));
          if (e.killed)
            return reject(
              new ToolError(
                'timeout',
                `smartctl did not answer within ${Math.round(timeoutMs / 1000)} s for /dev/${device}; the drive or its controller may be hung.`,
              ),
            );
          return reject(
            new ToolError('smartctl_failed', `smartctl could not be run (${String(e.code ?? e.message)}).`),
          );
        }
        const exitStatus = typeof e?.code === 'number' ? e.code : 0;
        let json: unknown;
        try {
          json = JSON.parse(stdout);
        } catch {
          return reject(
            new ToolError(
              'smartctl_output',
              `smartctl (exit status ${exitStatus}) did not print JSON for /dev/${device}; it must be smartmontools 7.0 or later for --json.`,
            ),
          );
        }
        if (typeof json !== 'object' || json === null || Array.isArray(json))
          return reject(
            new ToolError(
              'smartctl_output',
              `smartctl printed JSON that is not an object for /dev/${device}.`,
            ),
          );
        resolve({ exitStatus, json: json as Record<string, unknown> });
      },
    );
  });
}
