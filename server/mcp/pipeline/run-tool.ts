import { toolContext } from './tool-context.js';
import type { RunHandler } from './tool-call.js';

/** The innermost handler: the tool itself, with the signal the steps around it set. */
export const runTool: RunHandler = (call) => call.tool.run(call.args, toolContext(call, call.signal));
