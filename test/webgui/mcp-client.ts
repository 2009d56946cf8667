import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** A real MCP client with a name of our choosing (it shows under Status and in approvals). */
export async function connectClient(url: string, secret: string, name = 'webgui-test'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${secret}` } },
    }),
  );
  return client;
}

export const callTool = (client: Client, name: string, args: Record<string, unknown>) =>
  client.callTool({ name, arguments: args }, undefined, { timeout: 60_000 }) as Promise<CallToolResult>;

export const textOf = (r: CallToolResult) =>
  r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

/** The container names a client sees through docker_list. */
export async function visibleContainers(client: Client): Promise<string[]> {
  const r = await callTool(client, 'docker_list', {});
  const out = r.structuredContent as { containers: Array<{ name: string }> };
  return out.containers.map((c) => c.name);
}
