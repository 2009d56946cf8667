import type { ToolContext } from '../../tools/context.js';
import type { ToolCall } from './tool-call.js';

/** What a tool's describe, preflight and run get: the backends, the resolved target, and the call's limits. */
export function toolContext(call: ToolCall, signal: AbortSignal): ToolContext {
  return {
    deps: call.env.deps,
    signal,
    progress: call.req.progress,
    target: call.resolved,
    responseCapBytes: call.settings.responseCapBytes,
    visible: (kind, name) => call.env.policy().visible(kind, name),
    protectedBy: (kind, name, labels) => call.env.policy().protectedBy(kind, name, labels),
  };
}
