import { describe, expect, it } from 'vitest';
import { diskUsersClause } from '../../../server/tools/vm/shared/disk-users-text.js';

/** The owner's filters hide every VM whose name starts with "Secret". */
const ctx = { visible: (_kind: 'container' | 'vm', name: string) => !name.startsWith('Secret') };
const vm = (name: string) => ({ name, uuid: `uuid-of-${name}` });

describe('diskUsersClause', () => {
  it('names visible VMs and never a hidden one, not even how many there are', () => {
    const cases: Array<[string[], string]> = [
      [['Secret 1'], 'another VM uses it'],
      [['Secret 1', 'Secret 2'], 'another VM uses it'],
      [['Alpha'], 'VM "Alpha" uses it'],
      [['Alpha', 'Beta'], 'VMs "Alpha" and "Beta" use it'],
      [['Alpha', 'Beta', 'Gamma'], 'VMs "Alpha", "Beta" and "Gamma" use it'],
      [['Alpha', 'Secret 1', 'Secret 2'], 'VM "Alpha" and another VM use it'],
      [['Alpha', 'Beta', 'Secret 1'], 'VMs "Alpha", "Beta" and another VM use it'],
    ];
    for (const [names, clause] of cases) {
      const text = diskUsersClause(names.map(vm), ctx);
      expect(text, names.join()).toBe(clause);
      expect(text).not.toMatch(/Secret/);
    }
  });

  it('quotes names so a name cannot forge text', () => {
    expect(diskUsersClause([vm('a" uses nothing\n')], ctx)).toBe('VM "a\\" uses nothing\\n" uses it');
  });
});
