import { ToolError } from './tool-error.js';

/** The action makes no sense in the current state (stop a stopped container, a name already taken). */
export class ConflictError extends ToolError {
  constructor(message: string) {
    super('conflict', message);
  }
}
