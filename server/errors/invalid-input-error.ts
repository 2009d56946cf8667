import { ToolError } from './tool-error.js';

/** Arguments failed validation; the message names each field and what is wrong with it. */
export class InvalidInputError extends ToolError {
  constructor(message: string) {
    super('invalid_input', message);
  }
}
