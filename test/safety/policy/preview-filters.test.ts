import { describe, expect, it } from 'vitest';
import { compilePolicy, PROTECTED_LABEL } from '../../../server/config/policy/compile-policy.js';
import { previewFilters } from '../../../server/safety/policy/preview-filters.js';

describe('previewFilters', () => {
  it('shows per resource the deciding rule and protection, and per rule what it matches', () => {
    const policy = compilePolicy({
      filters: { containers: { allow: ['*'], deny: ['plex*', 'plex'] }, vms: { allow: ['Win*'], deny: [] } },
      protected: { containers: ['db'], vms: [] },
    });
    const preview = previewFilters(policy, {
      containers: [
        { name: 'plex' },
        { name: 'db' },
        { name: 'redis', labels: { [PROTECTED_LABEL]: 'true' } },
      ],
      vms: [{ name: 'Windows 11 (Gaming)' }, { name: 'Büro-PC' }],
    });
    expect(preview.containers).toEqual([
      { name: 'plex', allowed: false, rule: 'deny:plex*', protected: false, protectedRule: null },
      { name: 'db', allowed: true, rule: null, protected: true, protectedRule: 'protected:db' },
      { name: 'redis', allowed: true, rule: null, protected: true, protectedRule: 'protected:label' },
    ]);
    expect(preview.vms).toEqual([
      { name: 'Windows 11 (Gaming)', allowed: true, rule: null, protected: false, protectedRule: null },
      { name: 'Büro-PC', allowed: false, rule: 'allow-list', protected: false, protectedRule: null },
    ]);
    expect(preview.rules).toEqual([
      { field: 'filters.containers.allow[0]', pattern: '*', matches: ['plex', 'db', 'redis'] },
      { field: 'filters.containers.deny[0]', pattern: 'plex*', matches: ['plex'] },
      { field: 'filters.containers.deny[1]', pattern: 'plex', matches: ['plex'] },
      { field: 'protected.containers[0]', pattern: 'db', matches: ['db'] },
      { field: 'filters.vms.allow[0]', pattern: 'Win*', matches: ['Windows 11 (Gaming)'] },
    ]);
  });

  it('lists rules that match nothing with an empty list', () => {
    const policy = compilePolicy({
      filters: { containers: { allow: [], deny: ['old-*'] }, vms: { allow: [], deny: [] } },
      protected: { containers: [], vms: [] },
    });
    expect(previewFilters(policy, { containers: [{ name: 'plex' }], vms: [] }).rules).toEqual([
      { field: 'filters.containers.deny[0]', pattern: 'old-*', matches: [] },
    ]);
  });
});
