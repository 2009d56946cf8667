import type { CallToolResult } from '@modelcontextprotocol/server';
import { ToolError } from './tool-error.js';

export const GENERIC_FAILURE =
  'The tool failed unexpectedly. The details are in the unraid-mcp log on the server; try again, or ask the owner to check it.';

/** Turns any thrown value into an `isError` result. Only ToolError messages reach the client verbatim. */
export function toToolResult(err: unknown): CallToolResult {
  const text = err instanceof ToolError ? err.message : GENERIC_FAILURE;
  return { isError: true, content: [{ type: 'text', text }] };
}

/** The bounded error code for audit and metrics. */
export function errorCode(err: unknown): string {
  return err instanceof ToolError ? err.code : 'internal';
}
