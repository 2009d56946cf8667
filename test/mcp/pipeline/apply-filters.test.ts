import { describe, expect, it } from 'vitest';
import { applyFilters } from '../../../server/mcp/pipeline/apply-filters.js';
import { CompiledPolicy } from '../../../server/config/policy/compile-policy.js';
import { PolicyDeniedError } from '../../../server/errors/policy-denied-error.js';
import type { AnyTool } from '../../../server/tools/define-tool.js';
import type { ResolvedTarget } from '../../../server/vocabulary.js';
import { testEcho, testStart, testStop } from '../../helpers/test-tools.js';
import {
  LABELLED,
  PLEX,
  VAULT,
  WIN11,
  nextStub,
  refusalOf,
  rulesWith,
  testCall,
  testEnv,
  unreachable,
} from '../../helpers/pipeline-call.js';

const ok = { content: [] };
const targetOf = (t: ResolvedTarget, ref = t.name) => ({ kind: t.kind, ref, id: t.id, name: t.name });
const resolvedCall = (tool: AnyTool, resolved: ResolvedTarget, rules = rulesWith(), ref = resolved.name) =>
  testCall(tool, { env: testEnv({ rules }), args: { id: ref }, resolved, target: targetOf(resolved, ref) });

describe('applyFilters', () => {
  it('lets an allowed target through to next, unchanged', async () => {
    const next = nextStub(() => ok);
    const call = resolvedCall(testStop, PLEX, rulesWith({ deny: ['vault*'] }));
    expect(await applyFilters(next)(call)).toBe(ok);
    expect(next.calls[0]).toBe(call);
  });

  it('does nothing for a call without a resolved target', async () => {
    const next = nextStub(() => ok);
    await applyFilters(next)(
      testCall(testEcho, { env: testEnv({ rules: rulesWith({ allow: ['nothing-matches'] }) }) }),
    );
    expect(next.calls).toHaveLength(1);
  });

  it('refuses a target the deny filter names (rule deny:<pattern>, metric denied); next is not called', async () => {
    const next = unreachable();
    const r = await refusalOf(
      applyFilters(next)(resolvedCall(testStart, VAULT, rulesWith({ deny: ['vault*'] }))),
    );
    expect(r.decision).toEqual({ allowed: false, rule: 'deny:vault*' });
    expect(r.metric).toBe('denied');
    expect(r.error).toBeInstanceOf(PolicyDeniedError);
    expect((r.error as Error).message).toContain(
      'container "vaultwarden" is denied by the Docker filter "vault*"',
    );
    expect(next.calls).toHaveLength(0);
  });

  it('checks the resolved name, so an ID prefix cannot slip past a name rule', async () => {
    const call = resolvedCall(testStart, VAULT, rulesWith({ deny: ['vaultwarden'] }), VAULT.id.slice(0, 8));
    const r = await refusalOf(applyFilters(unreachable())(call));
    expect(r.decision.rule).toBe('deny:vaultwarden');
  });

  it('refuses a target missing from a non-empty allow list', async () => {
    const r = await refusalOf(
      applyFilters(unreachable())(resolvedCall(testStart, PLEX, rulesWith({ allow: ['sonarr', 'radarr'] }))),
    );
    expect(r.decision).toEqual({ allowed: false, rule: 'allow-list' });
    expect(r.metric).toBe('denied');
  });

  it('refuses a protected target for a tool that refuses protected ones', async () => {
    const r = await refusalOf(
      applyFilters(unreachable())(resolvedCall(testStop, PLEX, rulesWith({ protected: ['ple?'] }))),
    );
    expect(r.decision).toEqual({ allowed: false, rule: 'protected:ple?' });
    expect(r.metric).toBe('denied');
    expect((r.error as Error).message).toContain('is protected');
  });

  it('refuses a container protected by its label', async () => {
    const r = await refusalOf(applyFilters(unreachable())(resolvedCall(testStop, LABELLED)));
    expect(r.decision.rule).toBe('protected:label');
  });

  it('lets a protected target through for a tool that does not refuse protected ones', async () => {
    const next = nextStub(() => ok);
    await applyFilters(next)(resolvedCall(testStart, PLEX, rulesWith({ protected: ['plex'] })));
    await applyFilters(next)(resolvedCall(testStart, LABELLED));
    expect(next.calls).toHaveLength(2);
  });

  it('applies the deny filter before protection', async () => {
    const r = await refusalOf(
      applyFilters(unreachable())(
        resolvedCall(testStop, PLEX, rulesWith({ deny: ['plex'], protected: ['plex'] })),
      ),
    );
    expect(r.decision.rule).toBe('deny:plex');
  });

  it('applies the VM rules to VMs', async () => {
    const r = await refusalOf(
      applyFilters(unreachable())(
        resolvedCall(testStop, WIN11, rulesWith({ deny: ['win11'], vmProtected: ['win*'] })),
      ),
    );
    expect(r.decision.rule).toBe('protected:win*');
  });

  it('has no name rules for networks or the host', async () => {
    const next = nextStub(() => ok);
    const network: ResolvedTarget = { kind: 'network', id: 'n'.repeat(64), name: 'plex', labels: {} };
    await applyFilters(next)(
      resolvedCall(testStop, network, rulesWith({ deny: ['plex'], protected: ['plex'] })),
    );
    expect(next.calls).toHaveLength(1);
  });

  it('reads the policy in force when the call reaches it', async () => {
    const env = testEnv();
    let rules = rulesWith();
    env.policy = () => CompiledPolicy.compile(rules);
    const call = testCall(testStart, { env, resolved: PLEX, target: targetOf(PLEX) });
    rules = rulesWith({ deny: ['plex'] });
    await expect(applyFilters(unreachable())(call)).rejects.toMatchObject({
      decision: { rule: 'deny:plex' },
    });
  });
});
