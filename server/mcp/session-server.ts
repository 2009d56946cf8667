import { createHash } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import type { AnyTool } from '../tools/define-tool.js';
import type { SessionPrincipal } from './session-registry.js';
import { selectTools } from '../safety/select-tools.js';
import { callTool } from './call-tool.js';
import { toListEntry } from './tool-listing.js';
import { shutdownAnswer } from './shutdown-answer.js';
import { abortedByShutdown } from '../errors/service-shutdown.js';
import type { CallEnv, Caller } from './pipeline/tool-call.js';

export const SERVER_INFO = { name: 'unraid-mcp', version: '0.1.0' } as const;

const INSTRUCTIONS =
  'Tools to inspect and operate an Unraid server: host health (CPU, memory, temperatures, array, parity, disks, shares). ' +
  "Every call is checked against the owner's settings and recorded in an audit log the owner reads in the Unraid WebGUI. " +
  'If a tool answers that something is denied or switched off, tell the user; do not look for a way around it.';

/**
 * One MCP server per session (sharing one across clients leaked data between them in other SDK
 * users). Built on the low-level Server so listing and calling go through our own policy wrapper and
 * schemas are converted once per process, not per session.
 */
export function createSessionServer(
  env: CallEnv,
  tools: ReadonlyArray<AnyTool>,
  who: SessionPrincipal,
  sessionId: () => string | undefined,
): Server {
  const server = new Server(SERVER_INFO, {
    capabilities: { tools: { listChanged: true }, logging: {} },
    instructions: INSTRUCTIONS,
  });
  const byName = new Map(tools.map((t) => [t.name, t]));
  let tag: string | null = null;
  const sessionTag = () => {
    const id = sessionId();
    return id ? (tag ??= createHash('sha256').update(id).digest('hex').slice(0, 16)) : null;
  };

  server.setRequestHandler(ListToolsRequestSchema, () => {
    const s = env.settings();
    return {
      tools: selectTools(tools, { toolsets: s.toolsets, readOnly: s.readOnly, scope: who.current.scope }).map(
        toListEntry,
      ),
    };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = byName.get(request.params.name);
    if (!tool) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool "${request.params.name.slice(0, 100)}". Call tools/list to see the tools this token can use.`,
      );
    }
    const progressToken = request.params._meta?.progressToken;
    // The call's signal follows the client's cancellation and the service's shutdown (InflightTracker).
    return env.inflight.run(extra.signal, async (signal) => {
      const result = await callTool(
        env,
        tool,
        {
          principal: who.current,
          client: clientInfo(server),
          sessionTag: sessionTag(),
          elicit: elicitation(server),
        },
        {
          args: request.params.arguments,
          signal,
          progress: async (progress, total, message) => {
            if (progressToken === undefined) return;
            await extra.sendNotification({
              method: 'notifications/progress',
              params: { progressToken, progress, total, message },
            });
          },
        },
      );
      // A call the shutdown interrupted is answered with a JSON-RPC error that says so; one that
      // finished all the same keeps its result.
      if (result.isError && abortedByShutdown(signal))
        throw shutdownAnswer(tool, request.params.arguments, result);
      return result;
    });
  });
  return server;
}

/** The client's self-declared name and version, bounded: it is untrusted input that lands in the audit log. */
function clientInfo(server: Server): { name: string; version: string } | null {
  const v = server.getClientVersion();
  return v ? { name: String(v.name).slice(0, 100), version: String(v.version).slice(0, 50) } : null;
}

const CONFIRM_SCHEMA = {
  type: 'object' as const,
  properties: {
    confirm: {
      type: 'boolean' as const,
      title: 'Allow this action',
      description: 'Tick to let the assistant go ahead',
    },
  },
  required: ['confirm'],
};

/** Asks the user through the client when it declared form elicitation; an answer other than a ticked box is a decline. */
function elicitation(server: Server): Caller['elicit'] {
  if (!server.getClientCapabilities()?.elicitation?.form) return null;
  return async (message, signal) => {
    const answer = await server.elicitInput(
      { mode: 'form', message, requestedSchema: CONFIRM_SCHEMA },
      { signal },
    );
    if (answer.action !== 'accept') return answer.action;
    return answer.content?.confirm === true ? 'accept' : 'decline';
  };
}
