import { describe, expect, it } from 'vitest';
import { allTools } from '../../server/tools/index.js';
import { DEFAULT_POLICY_SETTINGS, effectiveConfirmMode } from '../../server/config/settings.js';

/**
 * The README's security model promises that destructive tools wait for the owner's approval. This
 * holds every tool of the registry to it, so a new destructive tool (or a changed default) cannot
 * quietly let an agent confirm the call itself.
 */
describe('confirmation defaults', () => {
  const destructive = allTools.filter((t) => t.annotations.destructiveHint);

  it('covers the destructive tools the registry has', () => {
    // A guard on the guard: if annotations stopped marking anything destructive, the rule below would pass vacuously.
    expect(destructive.map((t) => t.name)).toEqual(
      expect.arrayContaining(['docker_remove', 'vm_delete', 'vm_force_stop', 'vm_snapshot_delete']),
    );
  });

  it.each(destructive.map((t) => [t.name, t] as const))(
    '%s (destructive) defaults to the owner approving it',
    (_name, tool) => {
      expect(tool.confirm).toBe('approve');
      // …and that default is what runs when the owner has set nothing in policy.json.
      expect(effectiveConfirmMode(DEFAULT_POLICY_SETTINGS, tool)).toBe('approve');
    },
  );
});
