import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { callTool } from '../../../server/mcp/call-tool.js';
import type { Caller, CallRequest } from '../../../server/mcp/pipeline/tool-call.js';
import { CompiledPolicy, type PolicyRules } from '../../../server/config/policy/compile-policy.js';
import { InvalidInputError } from '../../../server/errors/invalid-input-error.js';
import { ToolError } from '../../../server/errors/tool-error.js';
import { defineTool, type AnyTool } from '../../../server/tools/define-tool.js';
import { KeyedMutex } from '../../../server/util/keyed-mutex.js';
import type { Principal } from '../../../server/tokens/token-authenticator.js';
import type { ConfirmMode, Scope } from '../../../server/vocabulary.js';
import type { Settings } from '../../../server/config/settings.js';
import { RATE_LIMITED_EVENT } from '../../../server/mcp/pipeline/rate-limit-summaries.js';
import {
  PLEX,
  countedCalls,
  deferred,
  memoryAudit,
  memoryResolver,
  rulesWith,
  testEnv,
  type TestEnv,
} from '../../helpers/pipeline-call.js';

/**
 * The real composed pipeline (callTool), with every part it talks to writing into one event list:
 * the order of the steps is read off that list.
 */

const LOCK = `container:${PLEX.id}`;
const textOf = (r: CallToolResult) => (r.content[0] as { text: string }).text;

/** A KeyedMutex that notes taking and releasing each lock. */
class RecordingMutex extends KeyedMutex {
  constructor(private readonly events: string[]) {
    super();
  }
  override async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    this.events.push(`lock ${key}`);
    try {
      return await super.run(key, work);
    } finally {
      this.events.push(`unlock ${key}`);
    }
  }
}

interface Harness {
  env: TestEnv;
  events: string[];
  call(tool: AnyTool, args: Record<string, unknown>, scope?: Scope): Promise<CallToolResult>;
}

function harness(
  opts: { rules?: PolicyRules; auditFails?: (stage: string) => boolean; settings?: Partial<Settings> } = {},
): Harness {
  const events: string[] = [];
  const audit = memoryAudit((e) => opts.auditFails?.(e.stage) ?? false);
  const env = testEnv({ audit, locks: new RecordingMutex(events), settings: opts.settings });

  // The rate limit and the concurrency cap are the only readers of their settings.
  const settings = env.settings();
  const { tokenCallsPerSecond, maxConcurrentCalls } = settings;
  Object.defineProperties(settings, {
    tokenCallsPerSecond: { get: () => (events.push('rate limit'), tokenCallsPerSecond), enumerable: true },
    maxConcurrentCalls: { get: () => (events.push('concurrency'), maxConcurrentCalls), enumerable: true },
  });

  const append = audit.append.bind(audit);
  audit.append = async (entry, durable) => {
    const what = entry.stage === 'event' ? `audit event ${entry.event}` : `audit ${entry.stage}`;
    try {
      await append(entry, durable);
      events.push(what);
    } catch (err) {
      events.push(`${what} FAILED`);
      throw err;
    }
  };

  const resolver = memoryResolver();
  env.resolver = {
    calls: resolver.calls,
    resolve: (target, signal) => {
      events.push(`resolve ${target.kind}:${target.ref}`);
      return resolver.resolve(target, signal);
    },
  };

  const compiled = CompiledPolicy.compile(opts.rules ?? rulesWith());
  const policy = Object.create(compiled) as CompiledPolicy;
  policy.checkName = (kind, name) => {
    events.push(`checkName ${name}`);
    return compiled.checkName(kind, name);
  };
  policy.checkProtected = (kind, name, labels) => {
    events.push(`checkProtected ${name}`);
    return compiled.checkProtected(kind, name, labels);
  };
  env.policy = () => policy;

  return {
    env,
    events,
    call: (tool, args, scope = 'admin') => {
      // The access check is the only reader of the token's scope.
      const principal: Principal = {
        name: 'claude',
        tokenId: 'tok-order-0001',
        get scope() {
          events.push('access');
          return scope;
        },
      };
      const caller: Caller = {
        principal,
        client: { name: 'order-test', version: '1' },
        sessionTag: 'abcd',
        elicit: null,
        deferApproval: null,
      };
      const req: CallRequest = { args, signal: new AbortController().signal, progress: async () => {} };
      // These calls come from a 2025-style caller (no rounds, no tasks): the answer is always a result.
      return callTool(env, tool, caller, req) as Promise<CallToolResult>;
    },
  };
}

/** A tool whose target, preflight, describe and run note themselves, and fail on request. */
function orderTool(
  events: () => string[],
  name: string,
  kind: { readOnly: boolean; confirm?: ConfirmMode; refusesProtected?: boolean },
) {
  const note = (what: string) => events().push(what);
  return defineTool({
    name,
    title: name,
    description: 'Notes each of its parts as the pipeline reaches it.',
    toolset: 'docker',
    scope: kind.readOnly ? 'read' : 'operate',
    ...(kind.confirm ? { confirm: kind.confirm } : {}),
    refusesProtected: kind.refusesProtected ?? false,
    annotations: {
      readOnlyHint: kind.readOnly,
      destructiveHint: false,
      idempotentHint: false,
      openWorldHint: false,
    },
    input: z
      .object({
        id: z.string().refine(() => (note('validate'), true)),
        fail: z.enum(['preflight', 'describe', 'run']).optional(),
      })
      .strict(),
    output: z.object({ acted: z.string() }),
    target: ({ id }) => {
      note('target');
      return { kind: 'container', ref: id };
    },
    preflight: async ({ fail }) => {
      note('preflight');
      if (fail === 'preflight') throw new InvalidInputError('the preflight refuses');
    },
    describe: ({ id, fail }) => {
      note('describe');
      if (fail === 'describe') throw new Error('describe failed');
      return `${name} on ${id}`;
    },
    run: async ({ fail }, ctx) => {
      note('run');
      if (fail === 'run') throw new ToolError('conflict', 'the run failed');
      return { acted: ctx.target?.name ?? '' };
    },
  });
}

/** The three kinds of tool, noting into `h`'s event list. */
function toolsFor(h: { events: string[] }) {
  const ev = () => h.events;
  return {
    stop: orderTool(ev, 'order_stop', { readOnly: false, confirm: 'token', refusesProtected: true }),
    start: orderTool(ev, 'order_start', { readOnly: false, confirm: 'none' }),
    inspect: orderTool(ev, 'order_inspect', { readOnly: true }),
  };
}

/** Every call starts with the rate limit and the concurrency cap, before anything else is looked at. */
const LIMITS = ['rate limit', 'concurrency'];
const BEFORE_PREFLIGHT = [
  ...LIMITS,
  'access',
  'validate',
  'target',
  'resolve container:plex',
  'checkName plex',
];

describe('the composed pipeline, in order', () => {
  it('writing tool, token mode: the first call stops at the confirmation, the second runs', async () => {
    const h = harness();
    const { stop } = toolsFor(h);
    const first = await h.call(stop, { id: 'plex' });
    expect(first.isError).toBe(true);
    expect(h.events).toEqual([
      ...BEFORE_PREFLIGHT,
      'checkProtected plex',
      'preflight',
      'describe',
      'audit event confirmation.token_issued',
      'audit intent',
      'audit outcome',
    ]);

    const token = (first._meta?.['unraid-mcp/confirmation'] as { token: string }).token;
    h.events.length = 0;
    const second = await h.call(stop, { id: 'plex', confirmation_token: token });
    expect(second.structuredContent).toEqual({ acted: 'plex' });
    expect(h.events).toEqual([
      ...BEFORE_PREFLIGHT,
      'checkProtected plex',
      'preflight',
      'describe',
      'audit intent',
      `lock ${LOCK}`,
      'run',
      `unlock ${LOCK}`,
      'audit outcome',
    ]);
    const [, secondIntent] = h.env.audit.intents();
    expect(secondIntent).toMatchObject({
      decision: { allowed: true, rule: null },
      confirmation: { mode: 'token', outcome: 'token_confirmed' },
    });
    expect(h.env.audit.outcomes()[1]).toMatchObject({ intent: secondIntent?.id, result: { status: 'ok' } });
    expect(await countedCalls(h.env.metrics, 'order_stop', 'confirmation')).toBe(1);
    expect(await countedCalls(h.env.metrics, 'order_stop', 'ok')).toBe(1);
  });

  it('writing tool, none mode: confirmation passes at once, then intent, lock, run, outcome', async () => {
    const h = harness();
    const { start } = toolsFor(h);
    const res = await h.call(start, { id: 'plex' });
    expect(res.structuredContent).toEqual({ acted: 'plex' });
    expect(h.events).toEqual([
      ...BEFORE_PREFLIGHT,
      'preflight',
      'describe',
      'audit intent',
      `lock ${LOCK}`,
      'run',
      `unlock ${LOCK}`,
      'audit outcome',
    ]);
    expect(h.env.audit.intents()[0]?.confirmation).toEqual({ mode: 'none', outcome: 'not_required' });
    expect(h.env.audit.records.map((r) => r.durable)).toEqual([true, true]);
  });

  it('read tool: no describe, no confirmation, no lock', async () => {
    const h = harness();
    const { inspect } = toolsFor(h);
    const res = await h.call(inspect, { id: 'plex' }, 'read');
    expect(res.structuredContent).toEqual({ acted: 'plex' });
    expect(h.events).toEqual([...BEFORE_PREFLIGHT, 'preflight', 'audit intent', 'run', 'audit outcome']);
    expect(h.env.audit.intents()[0]).not.toHaveProperty('confirmation');
    expect(h.env.audit.records.map((r) => r.durable)).toEqual([false, false]);
  });
});

interface RefusalCase {
  name: string;
  rules?: PolicyRules;
  tool?: 'stop' | 'start';
  args: Record<string, unknown>;
  scope?: Scope;
  /** The events, in order; the last step named is where the call stopped. */
  events: string[];
  rule: string | null;
  metric: string;
  text: string | RegExp;
}

const refusals: RefusalCase[] = [
  {
    name: 'the access check (scope): nothing else runs',
    args: { id: 'plex' },
    scope: 'read',
    events: [...LIMITS, 'access', 'audit intent', 'audit outcome'],
    rule: 'scope',
    metric: 'denied',
    text: /needs a token with the "operate" scope/,
  },
  {
    name: 'validation: no target is declared or resolved',
    args: { id: 42 },
    events: [...LIMITS, 'access', 'audit intent', 'audit outcome'],
    rule: 'invalid_arguments',
    metric: 'invalid',
    text: /^Invalid arguments for order_stop: "id"/,
  },
  {
    name: 'resolution: no filter is consulted',
    args: { id: 'ghost' },
    events: [
      ...LIMITS,
      'access',
      'validate',
      'target',
      'resolve container:ghost',
      'audit intent',
      'audit outcome',
    ],
    rule: 'target',
    metric: 'error',
    text: 'container "ghost" does not exist',
  },
  {
    name: 'a deny filter: the preflight never runs',
    rules: rulesWith({ deny: ['pl*'] }),
    args: { id: 'plex' },
    events: [...BEFORE_PREFLIGHT, 'audit intent', 'audit outcome'],
    rule: 'deny:pl*',
    metric: 'denied',
    text: /is denied by the Docker filter "pl\*"/,
  },
  {
    name: 'protection: the preflight never runs',
    rules: rulesWith({ protected: ['plex'] }),
    args: { id: 'plex' },
    events: [...BEFORE_PREFLIGHT, 'checkProtected plex', 'audit intent', 'audit outcome'],
    rule: 'protected:plex',
    metric: 'denied',
    text: /is protected/,
  },
  {
    name: 'the preflight: nobody is asked to confirm',
    args: { id: 'plex', fail: 'preflight' },
    events: [...BEFORE_PREFLIGHT, 'checkProtected plex', 'preflight', 'audit intent', 'audit outcome'],
    rule: 'preflight',
    metric: 'invalid',
    text: 'the preflight refuses',
  },
  {
    name: 'describe: no token is issued',
    args: { id: 'plex', fail: 'describe' },
    events: [
      ...BEFORE_PREFLIGHT,
      'checkProtected plex',
      'preflight',
      'describe',
      'audit intent',
      'audit outcome',
    ],
    rule: 'preflight',
    metric: 'error',
    text: /^The tool failed unexpectedly/,
  },
  {
    name: 'the confirmation (a made-up token): the tool never runs',
    args: { id: 'plex', confirmation_token: 'ct_made_up' },
    events: [
      ...BEFORE_PREFLIGHT,
      'checkProtected plex',
      'preflight',
      'describe',
      'audit event confirmation.token_rejected',
      'audit intent',
      'audit outcome',
    ],
    rule: null,
    metric: 'confirmation',
    text: /is not a valid confirmation token/,
  },
];

describe('a call refused at each step leaves one intent and one outcome, and nothing after that step runs', () => {
  it.each(refusals)('refused by $name', async (c) => {
    const h = harness(c.rules ? { rules: c.rules } : {});
    const tools = toolsFor(h);
    const res = await h.call(tools[c.tool ?? 'stop'], c.args, c.scope);
    expect(res.isError).toBe(true);
    if (typeof c.text === 'string') expect(textOf(res)).toBe(c.text);
    else expect(textOf(res)).toMatch(c.text);
    expect(h.events).toEqual(c.events);
    expect(h.events).not.toContain('run');
    expect(h.events.some((e) => e.startsWith('lock'))).toBe(false);

    const intents = h.env.audit.intents();
    const outcomes = h.env.audit.outcomes();
    expect(intents).toHaveLength(1);
    expect(outcomes).toHaveLength(1);
    const decision = c.rule === null ? { allowed: true, rule: null } : { allowed: false, rule: c.rule };
    expect(intents[0]?.decision).toEqual(decision);
    expect(outcomes[0]).toMatchObject({ intent: intents[0]?.id, decision, result: { status: 'error' } });
    expect(await countedCalls(h.env.metrics, 'order_stop', c.metric)).toBe(1);
    expect(await countedCalls(h.env.metrics, 'order_stop')).toBe(1);
    expect(h.env.confirmations.tokens.size).toBe(0);
  });

  it('the rate limit: nothing else runs, no records of its own, one summary event for the token', async () => {
    const h = harness({ settings: { tokenCallsPerSecond: 1, tokenCallBurst: 1 } });
    const { stop } = toolsFor(h);
    await h.call(stop, { id: 'plex', fail: 'preflight' });
    h.events.length = 0;
    const res = await h.call(stop, { id: 'plex' });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(
      /^Too many calls from this token \(limit 1 per second\); retry after [\d.]+ s\.$/,
    );
    expect(res._meta?.retryAfterMs).toEqual(expect.any(Number));
    expect(h.events).toEqual(['rate limit', `audit event ${RATE_LIMITED_EVENT}`]);
    expect(h.env.audit.intents()).toHaveLength(1); // the first call's
    expect(h.env.audit.outcomes()).toHaveLength(1);
    expect(await countedCalls(h.env.metrics, 'order_stop', 'rate_limited')).toBe(1);
  });

  it('the concurrency cap: busy, nothing after it runs, one intent and one outcome', async () => {
    const h = harness({ settings: { maxConcurrentCalls: 1 } });
    const gate = deferred();
    const hold = defineTool({
      name: 'order_hold',
      title: 'order_hold',
      description: 'Runs until the test lets it end.',
      toolset: 'docker',
      scope: 'read',
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      input: z.object({}).strict(),
      output: z.object({ held: z.boolean() }),
      run: async () => (await gate.promise, { held: true }),
    });
    const { stop } = toolsFor(h);
    const held = h.call(hold, {}, 'read');
    await new Promise((r) => setTimeout(r, 10));
    h.events.length = 0;
    const res = await h.call(stop, { id: 'plex' });
    expect(textOf(res)).toBe('The server is busy (1 call running); retry in a moment.');
    expect(res._meta).toEqual({ retryAfterMs: 1000 });
    expect(h.events).toEqual([...LIMITS, 'audit intent', 'audit outcome']);
    const stopRecords = h.env.audit.records.filter(
      (r) => r.entry.stage !== 'event' && r.entry.tool === 'order_stop',
    );
    expect(stopRecords.map((r) => r.entry)).toMatchObject([
      { stage: 'intent', decision: { allowed: false, rule: 'busy' } },
      { stage: 'outcome', decision: { allowed: false, rule: 'busy' }, result: { code: 'busy' } },
    ]);
    expect(await countedCalls(h.env.metrics, 'order_stop', 'busy')).toBe(1);
    gate.resolve();
    expect((await held).structuredContent).toEqual({ held: true });
  });

  it('records the target as declared when resolution failed, and as resolved after', async () => {
    const h = harness({ rules: rulesWith({ deny: ['plex'] }) });
    const { stop } = toolsFor(h);
    await h.call(stop, { id: 'ghost' });
    await h.call(stop, { id: PLEX.id.slice(0, 8) });
    expect(h.env.audit.intents().map((i) => i.target)).toEqual([
      { kind: 'container', ref: 'ghost' },
      { kind: 'container', ref: PLEX.id.slice(0, 8), id: PLEX.id, name: 'plex' },
    ]);
  });

  it('a failing run: intent, lock, run, then the outcome with the error', async () => {
    const h = harness();
    const { start } = toolsFor(h);
    const res = await h.call(start, { id: 'plex', fail: 'run' });
    expect(textOf(res)).toBe('the run failed');
    expect(h.events).toEqual([
      ...BEFORE_PREFLIGHT,
      'preflight',
      'describe',
      'audit intent',
      `lock ${LOCK}`,
      'run',
      `unlock ${LOCK}`,
      'audit outcome',
    ]);
    expect(h.env.audit.intents()).toHaveLength(1);
    expect(h.env.audit.outcomes()).toMatchObject([
      {
        decision: { allowed: true, rule: null },
        result: { status: 'error', code: 'conflict', message: 'the run failed' },
      },
    ]);
    expect(await countedCalls(h.env.metrics, 'order_start', 'error')).toBe(1);
  });

  it('an audit log that cannot take the intent: no lock, no run, and no outcome record', async () => {
    const h = harness({ auditFails: (stage) => stage === 'intent' });
    const { start } = toolsFor(h);
    const res = await h.call(start, { id: 'plex' });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/^The audit log cannot be written, so unraid-mcp refuses to act/);
    expect(h.events).toEqual([...BEFORE_PREFLIGHT, 'preflight', 'describe', 'audit intent FAILED']);
    expect(h.env.audit.records).toEqual([]);
    expect(h.env.audit.refused).toHaveLength(1);
  });
});
