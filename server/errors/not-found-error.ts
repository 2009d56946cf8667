import { ToolError } from './tool-error.js';

/** The named thing does not exist (or is hidden from this session by a filter). */
export class NotFoundError extends ToolError {
  constructor(message: string) {
    super('not_found', message);
  }
}
