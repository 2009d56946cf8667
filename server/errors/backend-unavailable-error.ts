import { ToolError } from './tool-error.js';

/** A service the tool needs is not running or not present on this host (Docker, libvirt, emhttp). */
export class BackendUnavailableError extends ToolError {
  constructor(message: string) {
    super('backend_unavailable', message);
  }
}
