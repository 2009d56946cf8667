import { describe, expect, it } from 'vitest';
import {
  compilePolicy,
  PolicyRulesError,
  PROTECTED_LABEL,
  type PolicyRules,
} from '../../../server/config/policy/compile-policy.js';

const rules = (r: {
  containers?: { allow?: string[]; deny?: string[] };
  vms?: { allow?: string[]; deny?: string[] };
  protected?: { containers?: string[]; vms?: string[] };
}): PolicyRules => ({
  filters: {
    containers: { allow: r.containers?.allow ?? [], deny: r.containers?.deny ?? [] },
    vms: { allow: r.vms?.allow ?? [], deny: r.vms?.deny ?? [] },
  },
  protected: { containers: r.protected?.containers ?? [], vms: r.protected?.vms ?? [] },
});

describe('checkName', () => {
  it('empty lists allow everything', () => {
    const p = compilePolicy(rules({}));
    expect(p.checkName('container', 'plex')).toEqual({ allowed: true });
    expect(p.checkName('vm', 'Windows 11 (Gaming)')).toEqual({ allowed: true });
  });

  it('deny names the pattern and tells the model what to do', () => {
    const p = compilePolicy(rules({ containers: { deny: ['plex*'] } }));
    expect(p.checkName('container', 'plex')).toEqual({
      allowed: false,
      rule: 'deny:plex*',
      message:
        'container "plex" is denied by the Docker filter "plex*" — ask the owner to change the filters in Settings → unraid-mcp.',
    });
    expect(p.checkName('container', 'sonarr')).toEqual({ allowed: true });
    expect(p.checkName('vm', 'plex')).toEqual({ allowed: true }); // rules are per kind
  });

  it('deny wins over allow', () => {
    const p = compilePolicy(
      rules({
        containers: { allow: ['*'], deny: ['db'] },
        vms: { allow: ['Win*'], deny: ['Win* (Gaming)'] },
      }),
    );
    expect(p.checkName('container', 'db')).toMatchObject({ allowed: false, rule: 'deny:db' });
    expect(p.checkName('container', 'web')).toEqual({ allowed: true });
    expect(p.checkName('vm', 'Windows 11 (Gaming)')).toMatchObject({
      allowed: false,
      rule: 'deny:Win* (Gaming)',
      message:
        'VM "Windows 11 (Gaming)" is denied by the VM filter "Win* (Gaming)" — ask the owner to change the filters in Settings → unraid-mcp.',
    });
    expect(p.checkName('vm', 'Windows 11')).toEqual({ allowed: true });
  });

  it('a non-empty allow list refuses everything else', () => {
    const p = compilePolicy(rules({ containers: { allow: ['plex', 'sonarr*'] } }));
    expect(p.checkName('container', 'plex')).toEqual({ allowed: true });
    expect(p.checkName('container', 'sonarr-4k')).toEqual({ allowed: true });
    expect(p.checkName('container', 'db')).toEqual({
      allowed: false,
      rule: 'allow-list',
      message:
        'container "db" is not on the Docker allow list — ask the owner to add it to the filters in Settings → unraid-mcp.',
    });
  });

  it('reports the first matching pattern in list order', () => {
    const p = compilePolicy(rules({ containers: { deny: ['x*', 'plex*', '*ex', 'plex'] } }));
    expect(p.checkName('container', 'plex')).toMatchObject({ rule: 'deny:plex*' });
  });

  it('drops the leading "/" Docker reports, so "/plex" cannot slip past a "plex" rule', () => {
    const p = compilePolicy(rules({ containers: { deny: ['plex'] } }));
    expect(p.checkName('container', '/plex')).toMatchObject({ allowed: false, rule: 'deny:plex' });
    expect(p.visible('container', '/plex')).toBe(false);
  });

  it('is case-sensitive (Docker names are)', () => {
    const p = compilePolicy(rules({ containers: { deny: ['plex'] } }));
    expect(p.checkName('container', 'Plex')).toEqual({ allowed: true });
  });

  it('treats NFC and NFD spellings of a VM name as the same name', () => {
    const p = compilePolicy(rules({ vms: { deny: ['B\u00fcro-PC'] } }));
    expect(p.checkName('vm', 'Bu\u0308ro-PC')).toMatchObject({ allowed: false, rule: 'deny:B\u00fcro-PC' });
  });

  it('quotes odd names safely in messages', () => {
    const p = compilePolicy(rules({ vms: { deny: ['*'] } }));
    const d = p.checkName('vm', 'evil"\nname');
    expect(d.allowed).toBe(false);
    if (!d.allowed) expect(d.message).toContain('VM "evil\\"\\nname" is denied');
  });

  it('visible() hides exactly what checkName refuses', () => {
    const p = compilePolicy(rules({ containers: { allow: ['a*'], deny: ['ab'] } }));
    expect(['a', 'ab', 'abc', 'b'].filter((n) => p.visible('container', n))).toEqual(['a', 'abc']);
  });
});

describe('protected resources', () => {
  const p = compilePolicy(rules({ protected: { containers: ['db*'], vms: ['Büro-PC'] } }));

  it('protects containers by label', () => {
    expect(p.checkProtected('container', 'cache', { [PROTECTED_LABEL]: 'true' })).toEqual({
      protected: true,
      rule: 'protected:label',
      message:
        'container "cache" is protected (label unraid-mcp.protected=true): unraid-mcp will not stop, restart, pause, update or remove it.',
    });
    expect(p.isProtected('container', 'cache', { [PROTECTED_LABEL]: ' TRUE ' })).toBe(true);
    expect(p.isProtected('container', 'cache', { [PROTECTED_LABEL]: 'false' })).toBe(false);
    expect(p.isProtected('container', 'cache', { other: 'true' })).toBe(false);
    expect(p.isProtected('container', 'cache')).toBe(false);
  });

  it('protects by list, per kind', () => {
    expect(p.checkProtected('container', 'db')).toEqual({
      protected: true,
      rule: 'protected:db*',
      message:
        'container "db" is protected (protected list entry "db*"): unraid-mcp will not stop, restart, pause, update or remove it. The owner can change the list in Settings → unraid-mcp.',
    });
    expect(p.isProtected('vm', 'Büro-PC')).toBe(true);
    expect(p.isProtected('vm', 'db')).toBe(false);
    expect(p.isProtected('container', 'Büro-PC')).toBe(false);
  });

  it('the label is a container thing: VMs ignore labels', () => {
    expect(p.isProtected('vm', 'x', { [PROTECTED_LABEL]: 'true' })).toBe(false);
  });

  it('protection does not hide or deny', () => {
    expect(p.checkName('container', 'db')).toEqual({ allowed: true });
  });
});

describe('invalid rules', () => {
  it('names the list and index of every bad pattern', () => {
    let err: unknown;
    try {
      compilePolicy(
        rules({
          containers: { deny: ['ok', 'ok2', '', 'plex[12'] },
          vms: { allow: ['a/b'] },
          protected: { vms: [' x'] },
        }),
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PolicyRulesError);
    expect((err as PolicyRulesError).problems).toEqual([
      { field: 'filters.containers.deny[2]', message: 'is empty (use "*" to match every name)' },
      { field: 'filters.containers.deny[3]', message: 'unclosed "[" in "plex[12"' },
      {
        field: 'filters.vms.allow[0]',
        message: 'contains "/", which container and VM names cannot hold, in "a/b"',
      },
      {
        field: 'protected.vms[0]',
        message: 'starts or ends with a space in " x"; names do not, so remove it',
      },
    ]);
    expect((err as Error).message).toContain('filters.containers.deny[3]: unclosed "[" in "plex[12"');
  });

  it('caps reported problems per list', () => {
    const bad = Array.from({ length: 100 }, (_, i) => `bad[${i}`);
    try {
      compilePolicy(rules({ containers: { deny: bad } }));
      expect.unreachable();
    } catch (e) {
      const problems = (e as PolicyRulesError).problems;
      expect(problems).toHaveLength(21);
      expect(problems.at(-1)).toEqual({
        field: 'filters.containers.deny',
        message: '… and 80 more invalid patterns in this list',
      });
    }
  });
});
