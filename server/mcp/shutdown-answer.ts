import type { CallToolResult } from '@modelcontextprotocol/server';
import type { AnyTool } from '../tools/define-tool.js';
import { isShuttingDownMessage, shuttingDownMessage } from '../errors/service-shutdown.js';

/** JSON-RPC error code for "the connection is closed" (the MCP SDKs' ConnectionClosed). */
export const CONNECTION_CLOSED = -32000;

/** JSON-RPC error code of every shutdown answer: the server end of the connection is going away. */
export const SHUTDOWN_ERROR_CODE = CONNECTION_CLOSED;
export const SHUTDOWN_ERROR_DATA = { reason: 'shutting_down' } as const;

/**
 * Thrown from a request handler so the SDK answers with this JSON-RPC error. Not an McpError: that
 * class prefixes "MCP error -32000:" to its message, and the SDK sends the message as it is.
 */
export class ShutdownAnswer extends Error {
  override readonly name = 'ShutdownAnswer';
  readonly code = SHUTDOWN_ERROR_CODE;
  readonly data = SHUTDOWN_ERROR_DATA;
}

/**
 * The answer to a tool call the shutdown interrupted: a JSON-RPC error, so no client takes it for
 * a result or for its own cancellation. Its words are the pipeline's when the pipeline already said
 * what happened (it knows the resolved target and whether the tool had started); otherwise they are
 * built here from what the request declared, hedged ("may have started").
 */
export function shutdownAnswer(tool: AnyTool, args: unknown, result: CallToolResult): ShutdownAnswer {
  const first = result.content[0];
  const said = first?.type === 'text' ? first.text : '';
  return new ShutdownAnswer(
    isShuttingDownMessage(said)
      ? said
      : shuttingDownMessage({
          tool: tool.name,
          target: declaredTarget(tool, args),
          writing: !tool.annotations.readOnlyHint,
          work: 'unknown',
        }),
  );
}

/** The target reference as the client gave it (the arguments may not be valid: then none). */
function declaredTarget(tool: AnyTool, args: unknown): string | null {
  if (!tool.target || typeof args !== 'object' || args === null) return null;
  try {
    const ref: unknown = tool.target(args as Parameters<NonNullable<AnyTool['target']>>[0]).ref;
    return typeof ref === 'string' ? ref : null;
  } catch {
    return null;
  }
}
