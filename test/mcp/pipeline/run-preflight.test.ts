import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runPreflight } from '../../../server/mcp/pipeline/run-preflight.js';
import { InvalidInputError } from '../../../server/errors/invalid-input-error.js';
import { PolicyDeniedError } from '../../../server/errors/policy-denied-error.js';
import { BackendUnavailableError } from '../../../server/errors/backend-unavailable-error.js';
import { defineTool } from '../../../server/tools/define-tool.js';
import type { ToolContext } from '../../../server/tools/context.js';
import { testStop } from '../../helpers/test-tools.js';
import {
  PLEX,
  nextStub,
  refusalOf,
  rulesWith,
  testCall,
  testEnv,
  unreachable,
} from '../../helpers/pipeline-call.js';

const ok = { content: [] };

/** A writing tool whose preflight does what `check` says and keeps what it was given. */
function preflighted(check: (args: { id: string; size: number }, ctx: ToolContext) => Promise<void>) {
  const seen: Array<{ args: unknown; ctx: ToolContext }> = [];
  const tool = defineTool({
    name: 'test_resize',
    title: 'Resize (test)',
    description: 'Pretends to resize something.',
    toolset: 'docker',
    scope: 'operate',
    confirm: 'token',
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    input: z.object({ id: z.string(), size: z.number() }).strict(),
    output: z.object({ done: z.boolean() }),
    target: ({ id }) => ({ kind: 'container', ref: id }),
    preflight: async (args, ctx) => {
      seen.push({ args, ctx });
      await check(args, ctx);
    },
    run: async () => ({ done: true }),
  });
  return { tool, seen };
}

describe('runPreflight', () => {
  it('goes straight on for a tool without a preflight', async () => {
    const next = nextStub(() => ok);
    const call = testCall(testStop, { args: { id: 'plex', timeout: 10 } });
    expect(await runPreflight(next)(call)).toBe(ok);
    expect(next.calls[0]).toBe(call);
  });

  it("runs the preflight with the validated arguments and a context with the resolved target and the client's signal, then next", async () => {
    const order: string[] = [];
    const { tool, seen } = preflighted(async () => void order.push('preflight'));
    const signal = new AbortController().signal;
    const env = testEnv({ rules: rulesWith({ deny: ['vault*'] }) });
    const call = testCall(tool, {
      env,
      args: { id: 'plex', size: 3 },
      resolved: PLEX,
      signal,
      settings: { responseCapBytes: 8192 },
    });
    await runPreflight(
      nextStub(() => {
        order.push('next');
        return ok;
      }),
    )(call);
    expect(order).toEqual(['preflight', 'next']);
    expect(seen).toHaveLength(1);
    const { args, ctx } = seen[0] as { args: unknown; ctx: ToolContext };
    expect(args).toBe(call.args);
    expect(ctx.target).toBe(PLEX);
    expect(ctx.signal).toBe(signal);
    expect(ctx.deps).toBe(env.deps);
    expect(ctx.responseCapBytes).toBe(8192);
    expect(ctx.progress).toBe(call.req.progress);
    expect(ctx.visible('container', 'vaultwarden')).toBe(false);
    expect(ctx.visible('container', 'plex')).toBe(true);
  });

  it('refuses under the rule a PolicyDeniedError names, as denied; next is not called', async () => {
    const { tool } = preflighted(async () => {
      throw new PolicyDeniedError('bind_allowlist', 'host path /etc is not on the bind allow list');
    });
    const next = unreachable();
    const r = await refusalOf(runPreflight(next)(testCall(tool, { args: { id: 'plex', size: 1 } })));
    expect(r.decision).toEqual({ allowed: false, rule: 'bind_allowlist' });
    expect(r.metric).toBe('denied');
    expect((r.error as Error).message).toBe('host path /etc is not on the bind allow list');
    expect(next.calls).toHaveLength(0);
  });

  it('refuses any other failure under rule preflight, counted as invalid', async () => {
    const bad = new InvalidInputError('size must be larger than the current 4');
    const { tool } = preflighted(async () => {
      throw bad;
    });
    const r = await refusalOf(runPreflight(unreachable())(testCall(tool, { args: { id: 'plex', size: 1 } })));
    expect(r.decision).toEqual({ allowed: false, rule: 'preflight' });
    expect(r.metric).toBe('invalid');
    expect(r.error).toBe(bad);
  });

  it('counts a backend failure during the preflight as invalid too, with the refusal decision', async () => {
    // Documents current behaviour: a preflight that cannot reach its backend is recorded as a
    // refusal (decision allowed:false, rule preflight; the audit's outcome filter shows "denied") and
    // counted as "invalid", while the same failure in describe counts as "error".
    const down = new BackendUnavailableError('libvirt is not running');
    const { tool } = preflighted(async () => {
      throw down;
    });
    const r = await refusalOf(runPreflight(unreachable())(testCall(tool, { args: { id: 'plex', size: 1 } })));
    expect(r.decision).toEqual({ allowed: false, rule: 'preflight' });
    expect(r.metric).toBe('invalid');
    expect(r.error).toBe(down);
  });
});
