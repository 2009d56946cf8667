import type { CallToolResult } from '@modelcontextprotocol/server';

/** An error result that tells the client when to try again: in words, and as `_meta.retryAfterMs`. */
export const retryResult = (text: string, retryAfterMs: number): CallToolResult => ({
  isError: true,
  content: [{ type: 'text', text }],
  _meta: { retryAfterMs },
});
