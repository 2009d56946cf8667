import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CompiledPolicy } from '../../../server/config/policy/compile-policy.js';
import { runTool } from '../../../server/mcp/pipeline/run-tool.js';
import { defineTool } from '../../../server/tools/define-tool.js';
import type { ToolContext } from '../../../server/tools/context.js';
import { PLEX, rejectionOf, rulesWith, testCall, testEnv } from '../../helpers/pipeline-call.js';

/** A tool that keeps what it was run with and returns `out` (unchecked). */
function recording(out: unknown = { ok: true }) {
  const runs: Array<{ args: unknown; ctx: ToolContext }> = [];
  const tool = defineTool({
    name: 'test_recording',
    title: 'Recording (test)',
    description: 'Keeps what it was run with.',
    toolset: 'docker',
    scope: 'operate',
    confirm: 'none',
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    input: z.object({ id: z.string() }).strict(),
    output: z.object({ ok: z.boolean() }),
    target: ({ id }) => ({ kind: 'container', ref: id }),
    run: async (args, ctx) => {
      runs.push({ args, ctx });
      return out as { ok: boolean };
    },
  });
  return { tool, runs };
}

describe('runTool', () => {
  it('runs the tool with the validated arguments and a context built from the call', async () => {
    const { tool, runs } = recording();
    const env = testEnv({ rules: rulesWith({ deny: ['secret*'] }) });
    const progress = async () => {};
    const call = testCall(tool, {
      env,
      args: { id: 'plex' },
      resolved: PLEX,
      progress,
      settings: { responseCapBytes: 12_288 },
    });
    expect(await runTool(call)).toEqual({ ok: true });
    expect(runs).toHaveLength(1);
    const { args, ctx } = runs[0] as { args: unknown; ctx: ToolContext };
    expect(args).toBe(call.args);
    expect(ctx.deps).toBe(env.deps);
    expect(ctx.target).toBe(PLEX);
    expect(ctx.progress).toBe(progress);
    expect(ctx.responseCapBytes).toBe(12_288);
    expect(ctx.visible('container', 'secret-db')).toBe(false);
    expect(ctx.visible('container', 'plex')).toBe(true);
  });

  it("hands the tool the call's signal (the deadline's, set by limitTime), not the client's", async () => {
    const { tool, runs } = recording();
    const client = new AbortController();
    const deadline = new AbortController();
    const call = {
      ...testCall(tool, { args: { id: 'plex' }, signal: client.signal }),
      signal: deadline.signal,
    };
    await runTool(call);
    expect(runs[0]?.ctx.signal).toBe(deadline.signal);
  });

  it("returns the tool's output as it is: checking and shaping are for the steps around it", async () => {
    const odd = { ok: 'not a boolean', password: 'hunter2' };
    const { tool } = recording(odd);
    expect(await runTool(testCall(tool, { args: { id: 'plex' } }))).toBe(odd);
  });

  it("lets the tool's failure through", async () => {
    const boom = new Error('failed');
    const tool = defineTool({ ...recording().tool, run: () => Promise.reject(boom) });
    expect(await rejectionOf(runTool(testCall(tool, { args: { id: 'plex' } })))).toBe(boom);
  });

  it('reads the policy live: visible() follows a policy change made while the tool runs', async () => {
    const { tool, runs } = recording();
    const env = testEnv();
    let policy = CompiledPolicy.compile(rulesWith());
    env.policy = () => policy;
    await runTool(testCall(tool, { env, args: { id: 'plex' } }));
    const ctx = runs[0]?.ctx as ToolContext;
    expect(ctx.visible('container', 'plex')).toBe(true);
    policy = CompiledPolicy.compile(rulesWith({ deny: ['plex'] }));
    expect(ctx.visible('container', 'plex')).toBe(false);
  });
});
