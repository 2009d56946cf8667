import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  MissingRequiredClientCapabilityError,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type CallToolResult,
  type JSONRPCRequest,
  type Result,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { AnyTool } from '../tools/define-tool.js';
import type { SessionPrincipal } from './session-registry.js';
import { selectTools } from '../safety/select-tools.js';
import { callTool } from './call-tool.js';
import { toListEntry } from './tool-listing.js';
import { shutdownAnswer } from './shutdown-answer.js';
import { abortedByShutdown } from '../errors/service-shutdown.js';
import type { CallEnv, Caller, CallerPrompt } from './pipeline/tool-call.js';
import type { ConfirmRounds } from './rounds/confirm-rounds.js';
import { CONFIRM_SCHEMA, toElicitAnswer } from './rounds/confirm-question.js';
import { TASKS_EXTENSION, type TaskStore } from './tasks/task-store.js';
import { deferApprovalToTask } from './tasks/defer-approval.js';

export const SERVER_INFO = { name: 'unraid-mcp', version: '0.1.0' } as const;

const INSTRUCTIONS =
  'Tools to inspect and operate an Unraid server: host health (CPU, memory, temperatures, array, parity, disks, shares). ' +
  "Every call is checked against the owner's settings and recorded in an audit log the owner reads in the Unraid WebGUI. " +
  'If a tool answers that something is denied or switched off, tell the user; do not look for a way around it.';

/**
 * How long a client may reuse a tools/list answer (2026-07-28 cache hints). The list depends on the
 * token (scope) and the owner's settings, so it is `private`: never one token's list for another.
 * Changes reach listening clients at once (notifications/tools/list_changed); the TTL bounds how
 * stale a client that does not listen can be — and a stale list grants nothing, every call is
 * checked as it arrives.
 */
const TOOLS_LIST_TTL_MS = 60_000;
/** server/discover says the same to every token (versions, capabilities, instructions). */
const DISCOVER_TTL_MS = 300_000;

/** What one server instance serves: a 2025 session, or one 2026-07-28 request. */
export interface ServingUnit {
  era: 'legacy' | 'modern';
  who: SessionPrincipal;
  /** SHA-256 prefix of the MCP session id, for the audit log (2025 sessions only). */
  sessionId: () => string | undefined;
}

/** What the 2026-07-28 era adds, shared by all its per-request instances. */
export interface ModernParts {
  rounds: ConfirmRounds;
  tasks: TaskStore;
}

/**
 * One server factory for both protocol eras: a 2025 session's server (one per session, on our
 * SessionTransport) and a 2026-07-28 request's (one per request, from createMcpHandler). Built on the
 * low-level Server so listing and calling go through our own policy pipeline, with schemas converted
 * once per process. What differs by era is only how the user is asked (a server→client request, or
 * an input_required answer with a signed requestState), tasks (2026 only) and logging (2025 only:
 * deprecated by 2026-07-28, so not advertised there).
 */
export function createToolServer(
  env: CallEnv,
  tools: ReadonlyArray<AnyTool>,
  unit: ServingUnit,
  modern: ModernParts,
): Server {
  const isModern = unit.era === 'modern';
  const server = new ToolServer(SERVER_INFO, {
    capabilities: isModern
      ? { tools: { listChanged: true }, extensions: { [TASKS_EXTENSION]: {} } }
      : { tools: { listChanged: true }, logging: {} },
    instructions: INSTRUCTIONS,
    cacheHints: {
      'tools/list': { ttlMs: TOOLS_LIST_TTL_MS, cacheScope: 'private' },
      'server/discover': { ttlMs: DISCOVER_TTL_MS, cacheScope: 'public' },
    },
  });
  const byName = new Map(tools.map((t) => [t.name, t]));
  let tag: string | null = null;
  const sessionTag = () => {
    const id = unit.sessionId();
    return id ? (tag ??= createHash('sha256').update(id).digest('hex').slice(0, 16)) : null;
  };

  server.setRequestHandler('tools/list', () => {
    const s = env.settings();
    return {
      tools: selectTools(tools, {
        toolsets: s.toolsets,
        readOnly: s.readOnly,
        scope: unit.who.current.scope,
      }).map(toListEntry),
    };
  });

  server.setRequestHandler('tools/call', async (request, ctx) => {
    const tool = byName.get(request.params.name);
    if (!tool) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Unknown tool "${request.params.name.slice(0, 100)}". Call tools/list to see the tools this token can use.`,
      );
    }
    const progressToken = request.params._meta?.progressToken;
    const caller: Caller = {
      principal: unit.who.current,
      client: isModern ? modernClientInfo(ctx) : bounded(server.getClientVersion()),
      sessionTag: sessionTag(),
      elicit: isModern ? roundPrompt(ctx, modern.rounds) : pushPrompt(server),
      deferApproval: isModern && declaresTasks(ctx) ? deferApprovalToTask(env, modern.tasks) : null,
    };
    // The call's signal follows the client's cancellation and the service's shutdown (InflightTracker).
    return env.inflight.run(ctx.mcpReq.signal, async (signal) => {
      const result = await callTool(env, tool, caller, {
        args: request.params.arguments,
        signal,
        progress: async (progress, total, message) => {
          if (progressToken === undefined) return;
          await ctx.mcpReq.notify({
            method: 'notifications/progress',
            params: { progressToken, progress, total, message },
          });
        },
      });
      // A call the shutdown interrupted is answered with a JSON-RPC error that says so; one that
      // finished all the same keeps its result.
      if ('isError' in result && result.isError && abortedByShutdown(signal))
        throw shutdownAnswer(tool, request.params.arguments, result as CallToolResult);
      // The handler's type knows results and input_required; a task handle passes through ToolServer.
      return result as CallToolResult;
    });
  });

  if (isModern) registerTaskMethods(server, modern.tasks, unit.who);
  return server;
}

/**
 * The SDK's Server, letting a task handle (Tasks extension: `resultType: "task"`, no content) out of
 * tools/call: the SDK validates tools/call results against CallToolResult, which a task handle is
 * not; its 2026-07-28 encoder already allows the "task" result type on tools/call.
 */
class ToolServer extends Server {
  protected override _wrapHandler(
    method: string,
    handler: (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result>,
  ): (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result> {
    if (method !== 'tools/call') return super._wrapHandler(method, handler);
    return async (request, ctx) => {
      let task: Result | undefined;
      const result = await super._wrapHandler(method, async (r, c) => {
        const answer = await handler(r, c);
        if (answer.resultType !== 'task') return answer;
        task = answer;
        return { content: [] };
      })(request, ctx);
      return task ?? result;
    };
  }
}

/** tasks/get, tasks/update and tasks/cancel (Tasks extension), for the caller's own tasks only. */
/** The params of tasks/get, tasks/update and tasks/cancel (built once: servers are built per request). */
const TASK_PARAMS = z.object({ taskId: z.string().max(200) }).passthrough();

function registerTaskMethods(server: Server, tasks: TaskStore, who: SessionPrincipal): void {
  const unknown = (taskId: string) =>
    new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      `Unknown task "${taskId.slice(0, 100)}": it never existed, ended more than 15 minutes ago, or belongs to another token.`,
    );
  // The extension's methods answer only requests that declare it (-32021 otherwise, naming it).
  const declared = (ctx: ServerContext) => {
    if (!declaresTasks(ctx))
      throw new MissingRequiredClientCapabilityError(
        { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } },
        `This request did not declare the ${TASKS_EXTENSION} extension in its client capabilities.`,
      );
  };
  server.setRequestHandler('tasks/get', { params: TASK_PARAMS }, (params, ctx) => {
    declared(ctx);
    const view = tasks.get(params.taskId, who.current.tokenId);
    if (!view) throw unknown(params.taskId);
    return { ...view };
  });
  // Our tasks never ask for input while they run (the question is settled before the task starts),
  // so there is nothing outstanding to answer: responses are ignored, as the extension allows.
  server.setRequestHandler('tasks/update', { params: TASK_PARAMS }, (params, ctx) => {
    declared(ctx);
    if (!tasks.get(params.taskId, who.current.tokenId)) throw unknown(params.taskId);
    return {};
  });
  server.setRequestHandler('tasks/cancel', { params: TASK_PARAMS }, (params, ctx) => {
    declared(ctx);
    if (!tasks.cancel(params.taskId, who.current.tokenId)) throw unknown(params.taskId);
    return {};
  });
}

/** The client's self-declared name and version, bounded: it is untrusted input that lands in the audit log. */
function bounded(v: { name?: unknown; version?: unknown } | undefined): Caller['client'] {
  return v ? { name: String(v.name).slice(0, 100), version: String(v.version).slice(0, 50) } : null;
}

function modernClientInfo(ctx: ServerContext): Caller['client'] {
  const info = ctx.mcpReq.envelope?.['io.modelcontextprotocol/clientInfo' as never] as
    { name?: unknown; version?: unknown } | undefined;
  return bounded(info);
}

/** The client capabilities this 2026-07-28 request declared in its envelope. */
function modernCapabilities(ctx: ServerContext): {
  elicitation?: { form?: object } & object;
  extensions?: Record<string, unknown>;
} {
  return ctx.mcpReq.envelope?.['io.modelcontextprotocol/clientCapabilities' as never] ?? {};
}

function declaresTasks(ctx: ServerContext): boolean {
  return modernCapabilities(ctx).extensions?.[TASKS_EXTENSION] !== undefined;
}

/**
 * 2026-07-28: asks by answering input_required, when the request declares form elicitation (an
 * empty `elicitation: {}` means form, as in 2025). The retried call brings the state and answer.
 */
function roundPrompt(ctx: ServerContext, rounds: ConfirmRounds): CallerPrompt | null {
  const elicitation = modernCapabilities(ctx).elicitation;
  if (!elicitation || (Object.keys(elicitation).length > 0 && !elicitation.form)) return null;
  const state = ctx.mcpReq.requestState<unknown>();
  return {
    kind: 'round',
    rounds,
    state: typeof state === 'string' ? state : undefined,
    responses: ctx.mcpReq.inputResponses,
  };
}

/** 2025 revisions: asks with a server→client elicitation request when the client declared form elicitation. */
function pushPrompt(server: Server): CallerPrompt | null {
  if (!server.getClientCapabilities()?.elicitation?.form) return null;
  return {
    kind: 'push',
    ask: async (message, signal) =>
      toElicitAnswer(
        await server.elicitInput({ mode: 'form', message, requestedSchema: CONFIRM_SCHEMA }, { signal }),
      ),
  };
}
