import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/server';

/** The text of a tool result (its first content block). */
export const resultText = (res: CallToolResult) => (res.content[0] as { text: string }).text;

/** A tool result's structured content, loosely typed for assertions. */
export const resultData = (res: CallToolResult) => res.structuredContent as Record<string, any>;

/**
 * Calls tools through a real MCP client and keeps what the audit checks need: how often each tool
 * was called (each call must leave one intent and one outcome record) and every answer as JSON (to
 * prove a secret never reaches a client).
 */
export function toolCaller(defaultClient: () => Client) {
  const calls = new Map<string, number>();
  const outputs: string[] = [];
  async function call(
    name: string,
    args: Record<string, unknown> = {},
    client: Client = defaultClient(),
  ): Promise<CallToolResult> {
    calls.set(name, (calls.get(name) ?? 0) + 1);
    const res = (await client.callTool({ name, arguments: args })) as CallToolResult;
    outputs.push(JSON.stringify(res));
    return res;
  }
  return { call, calls, outputs };
}
