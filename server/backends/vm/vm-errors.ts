import { BackendUnavailableError } from '../../errors/backend-unavailable-error.js';
import { ConflictError } from '../../errors/conflict-error.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { NotFoundError } from '../../errors/not-found-error.js';
import { ToolError } from '../../errors/tool-error.js';

export const VM_DOWN = 'The VM service is not running. Start it in Settings → VM Manager, then try again.';

/**
 * libvirt's messages for a connection that is gone or never came up: the daemon is stopped, was
 * restarted under us, or the socket is missing. (`LibvirtError.code` is always -1 in the binding, so
 * the message is all there is to go on.)
 */
const CONNECTION_LOST =
  /failed to connect|client socket is closed|end of file while reading|cannot recv data|cannot write data|broken pipe|connection reset|not connected|no connection driver|connection closed|unable to connect/i;
const NOT_FOUND =
  /domain not found|no domain with matching|domain snapshot not found|no domain snapshot with matching|snapshot .* not found/i;
const WRONG_STATE =
  /not running|is not paused|not paused|already running|already active|domain is active|domain is not active|operation is not valid|is already|cannot .* (inactive|active|running) domain/i;
const ALREADY_EXISTS = /already exists|already defined/i;
const BAD_REQUEST =
  /xml error|unsupported configuration|invalid argument|config unsupported|unknown os type|no supported architecture|cannot find .*machine|emulator .* does not support machine/i;

export const isConnectionLost = (message: string): boolean => CONNECTION_LOST.test(message);

/** libvirt's own words, one line, without the "internal error:" style prefixes that mean nothing to a reader. */
export function libvirtMessage(raw: string): string {
  const line = raw
    .split('\n')
    .map((l) => l.replace(/^error:\s*/i, '').trim())
    .filter((l) => l && !/^failed to connect to the hypervisor$/i.test(l))
    .join('; ');
  return line
    .replace(
      /\b(internal error|operation failed|Requested operation is not valid|invalid argument|XML error|unsupported configuration):\s*/gi,
      '',
    )
    .slice(0, 300);
}

/**
 * Turns a libvirt or virsh failure into an error a model can act on: the VM service down, not found,
 * a request that makes no sense in the VM's state, a name taken, a definition libvirt refused — with
 * libvirt's own reason. Anything else becomes a generic backend error carrying that reason.
 */
export function toVmError(err: unknown, what: string): ToolError {
  if (err instanceof ToolError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const reason = libvirtMessage(raw);
  if (isConnectionLost(raw)) return new BackendUnavailableError(VM_DOWN);
  if (NOT_FOUND.test(raw)) return new NotFoundError(`${what}: ${reason}.`);
  if (ALREADY_EXISTS.test(raw)) return new ConflictError(`${what}: ${reason}.`);
  if (WRONG_STATE.test(raw)) return new ConflictError(`${what}: ${reason}.`);
  if (BAD_REQUEST.test(raw)) return new InvalidInputError(`${what}: libvirt refused it — ${reason}.`);
  return new ToolError('backend_error', `${what} failed: ${reason || 'libvirt gave no reason'}.`);
}
