import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { AnyTool } from '../tools/define-tool.js';
import type { Principal } from '../tokens/token-authenticator.js';
import { selectTools } from '../safety/select-tools.js';
import { callTool, type CallEnv } from './call-tool.js';
import { toListEntry } from './tool-listing.js';

export const SERVER_INFO = { name: 'unraid-mcp', version: '0.1.0' } as const;

const INSTRUCTIONS =
  'Tools to inspect and operate an Unraid server: host health (CPU, memory, temperatures, array, parity, disks, shares). ' +
  'Every call is checked against the owner\'s settings and recorded in an audit log the owner reads in the Unraid WebGUI. ' +
  'If a tool answers that something is denied or switched off, tell the user; do not look for a way around it.';

/**
 * One MCP server per session (sharing one across clients leaked data between them in other SDK
 * users). Built on the low-level Server so listing and calling go through our own policy wrapper and
 * schemas are converted once per process, not per session.
 */
export function createSessionServer(env: CallEnv, tools: ReadonlyArray<AnyTool>, principal: Principal, sessionId: () => string | undefined): Server {
  const server = new Server(SERVER_INFO, { capabilities: { tools: { listChanged: false }, logging: {} }, instructions: INSTRUCTIONS });
  const byName = new Map(tools.map((t) => [t.name, t]));

  server.setRequestHandler(ListToolsRequestSchema, () => {
    const s = env.settings();
    return { tools: selectTools(tools, { toolsets: s.toolsets, readOnly: s.readOnly, scope: principal.scope }).map(toListEntry) };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = byName.get(request.params.name);
    if (!tool) {
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool "${request.params.name.slice(0, 100)}". Call tools/list to see the tools this token can use.`);
    }
    const progressToken = request.params._meta?.progressToken;
    return env.inflight.track(callTool(
      env,
      tool,
      { principal, client: server.getClientVersion() ?? null, sessionId: sessionId() },
      {
        args: request.params.arguments,
        signal: extra.signal,
        progress: async (progress, total, message) => {
          if (progressToken === undefined) return;
          await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, total, message } });
        },
      },
    ));
  });
  return server;
}
