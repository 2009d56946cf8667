import type { Step } from './tool-call.js';

/** The tool's output must match its declared schema; a mismatch is a bug, logged in full and reported generically. */
export const checkOutput: Step<unknown> = (next) => async (call) => {
  const checked = call.tool.output.safeParse(await next(call));
  if (!checked.success) {
    call.env.deps.log.error('tool output does not match its schema', {
      tool: call.tool.name,
      issues: checked.error.issues,
    });
    throw new Error('output schema mismatch');
  }
  return checked.data;
};
