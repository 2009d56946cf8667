import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resolveTarget } from '../../../server/mcp/pipeline/resolve-target.js';
import { NotFoundError } from '../../../server/errors/not-found-error.js';
import { defineTool } from '../../../server/tools/define-tool.js';
import { testEcho, testStop } from '../../helpers/test-tools.js';
import {
  PLEX,
  WIN11,
  nextStub,
  refusalOf,
  testCall,
  testEnv,
  unreachable,
} from '../../helpers/pipeline-call.js';

const ok = { content: [] };

const vmInspect = defineTool({
  name: 'test_vm_inspect',
  title: 'Inspect VM (test)',
  description: 'Reads one VM.',
  toolset: 'vm',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z.object({ vm: z.string() }).strict(),
  output: z.object({ name: z.string() }),
  target: ({ vm }) => ({ kind: 'vm', ref: vm }),
  run: async (_args, ctx) => ({ name: ctx.target?.name ?? '' }),
});

describe('resolveTarget', () => {
  it('leaves a tool without a target alone: no lookup, target and resolved stay null', async () => {
    const next = nextStub(() => ok);
    const call = testCall(testEcho, { args: { message: 'hi' } });
    expect(await resolveTarget(next)(call)).toBe(ok);
    expect(next.calls[0]).toBe(call);
    expect(call.env.resolver.calls).toEqual([]);
    expect(call.target).toBeNull();
    expect(call.resolved).toBeNull();
  });

  it("resolves the target the tool declares from the validated arguments, with the client's signal", async () => {
    const next = nextStub(() => ok);
    const signal = new AbortController().signal;
    const call = testCall(testStop, { args: { id: 'plex', timeout: 10 }, signal });
    await resolveTarget(next)(call);
    expect(call.env.resolver.calls).toEqual([{ target: { kind: 'container', ref: 'plex' }, signal }]);
    expect(call.resolved).toBe(PLEX);
    expect(call.target).toEqual({ kind: 'container', ref: 'plex', id: PLEX.id, name: 'plex' });
    expect(next.calls).toHaveLength(1);
  });

  it('keeps what the caller gave (an ID prefix) next to what it resolved to (the real ID and name)', async () => {
    const call = testCall(testStop, { args: { id: PLEX.id.slice(0, 6), timeout: 10 } });
    await resolveTarget(nextStub(() => ok))(call);
    expect(call.target).toEqual({ kind: 'container', ref: PLEX.id.slice(0, 6), id: PLEX.id, name: 'plex' });
    expect(call.resolved).toEqual(PLEX);
  });

  it('resolves VMs too', async () => {
    const call = testCall(vmInspect, { args: { vm: 'win11' } });
    await resolveTarget(nextStub(() => ok))(call);
    expect(call.resolved).toBe(WIN11);
    expect(call.target).toEqual({ kind: 'vm', ref: 'win11', id: WIN11.id, name: 'win11' });
  });

  it('refuses a target that cannot be resolved (rule target, metric error) and keeps the declared target for the audit', async () => {
    const next = unreachable();
    const call = testCall(testStop, { args: { id: 'ghost', timeout: 10 } });
    const r = await refusalOf(resolveTarget(next)(call));
    expect(r.decision).toEqual({ allowed: false, rule: 'target' });
    expect(r.metric).toBe('error');
    expect(r.error).toBeInstanceOf(NotFoundError);
    expect((r.error as Error).message).toBe('container "ghost" does not exist');
    expect(call.target).toEqual({ kind: 'container', ref: 'ghost' });
    expect(call.resolved).toBeNull();
    expect(next.calls).toHaveLength(0);
  });

  it("passes an unexpected resolver failure on as the refusal's error, unchanged", async () => {
    const boom = new Error('connect ENOENT /var/run/docker.sock');
    const env = testEnv({ resolver: { calls: [], resolve: () => Promise.reject(boom) } });
    const r = await refusalOf(
      resolveTarget(unreachable())(testCall(testStop, { env, args: { id: 'plex', timeout: 10 } })),
    );
    expect(r.error).toBe(boom);
    expect(r.decision.rule).toBe('target');
  });
});
