import { ToolError } from './tool-error.js';

/** The call is refused by a rule (scope, read-only mode, toolset, filter); the message names the rule. */
export class PolicyDeniedError extends ToolError {
  readonly rule: string;
  constructor(rule: string, message: string) {
    super('policy_denied', message);
    this.rule = rule;
  }
}
