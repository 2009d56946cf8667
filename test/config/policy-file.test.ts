import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePolicyFile, serializePolicyFile } from '../../server/config/policy-file.js';
import { loadConfig } from '../../server/config/config-files.js';
import { DEFAULT_POLICY_SETTINGS } from '../../server/config/settings.js';
import {
  checkPolicySettings,
  knownToolsOf,
  relaxedConfirmations,
  type KnownTool,
} from '../../server/config/settings-check.js';
import { ConfigError } from '../../server/errors/config-error.js';

const tools: KnownTool[] = [
  { name: 'docker_stop', writing: true, confirm: 'token' },
  { name: 'docker_remove', writing: true, confirm: 'approve' },
  { name: 'docker_list', writing: false },
];
const problemsOf = (fn: () => unknown) => {
  try {
    fn();
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
};

describe('policy.json', () => {
  it('fills missing sections with empty lists', () => {
    expect(parsePolicyFile('{"version":1}')).toEqual(DEFAULT_POLICY_SETTINGS);
    expect(parsePolicyFile('{"version":1,"filters":{"vms":{"deny":["Win*"]}}}').filters).toEqual({
      containers: { allow: [], deny: [] },
      vms: { allow: [], deny: ['Win*'] },
    });
  });

  it('round-trips through its canonical form', () => {
    const p = {
      filters: {
        containers: { allow: ['*'], deny: ['plex*'] },
        vms: { allow: [], deny: ['Windows 11 (Gaming)', 'Büro-PC'] },
      },
      protected: { containers: ['db'], vms: [] },
      confirmModes: { docker_stop: 'none', docker_remove: 'token' } as const,
    };
    const text = serializePolicyFile(p);
    expect(parsePolicyFile(text)).toEqual(p);
    expect(serializePolicyFile(parsePolicyFile(text))).toBe(text);
    expect(Object.keys((JSON.parse(text) as { confirmModes: object }).confirmModes)).toEqual([
      'docker_remove',
      'docker_stop',
    ]);
  });

  it('a half-written file is an error naming the file', () => {
    const text = serializePolicyFile(DEFAULT_POLICY_SETTINGS);
    expect(problemsOf(() => parsePolicyFile(text.slice(0, 40)))).toEqual([
      {
        file: 'policy.json',
        field: '(file)',
        message: expect.stringMatching(
          /^is not valid JSON \(.*\); restore it from a backup or fix it by hand$/,
        ) as string,
      },
    ]);
  });

  it('names every bad field', () => {
    expect(
      problemsOf(() =>
        parsePolicyFile(
          JSON.stringify({
            version: 2,
            filters: { containers: { deny: 'plex' }, dockers: {} },
            protected: { vms: [1] },
            confirmModes: { docker_stop: 'maybe' },
            colour: 'blue',
          }),
        ),
      ),
    ).toEqual([
      {
        file: 'policy.json',
        field: 'version',
        message: 'must be 1 (this version of unraid-mcp reads policy.json version 1)',
      },
      {
        file: 'policy.json',
        field: 'filters.containers.deny',
        message: expect.stringContaining('expected array') as string,
      },
      { file: 'policy.json', field: 'filters.dockers', message: 'unknown key' },
      {
        file: 'policy.json',
        field: 'protected.vms[0]',
        message: expect.stringContaining('expected string') as string,
      },
      {
        file: 'policy.json',
        field: 'confirmModes.docker_stop',
        message: 'must be one of none, token, approve',
      },
      { file: 'policy.json', field: 'colour', message: 'unknown key' },
    ]);
  });

  it('refuses a __proto__ key instead of losing it silently', () => {
    expect(problemsOf(() => parsePolicyFile('{"version":1,"confirmModes":{"__proto__":"none"}}'))).toEqual([
      { file: 'policy.json', field: 'confirmModes.__proto__', message: 'is not allowed as a key' },
    ]);
  });
});

describe('checkPolicySettings', () => {
  it('rejects unknown tools and confirmation on read-only tools, and bad globs, with file and field', () => {
    const p = {
      ...DEFAULT_POLICY_SETTINGS,
      filters: { containers: { allow: [], deny: ['a', 'b', 'c', 'plex[12'] }, vms: { allow: [], deny: [] } },
      confirmModes: { docker_nuke: 'none', docker_list: 'approve', docker_stop: 'none' } as const,
    };
    const { problems, policy } = checkPolicySettings(p, tools);
    expect(policy).toBeNull();
    expect(problems).toEqual([
      {
        file: 'policy.json',
        field: 'confirmModes.docker_nuke',
        message: 'unknown tool (known: docker_list, docker_remove, docker_stop)',
      },
      {
        file: 'policy.json',
        field: 'confirmModes.docker_list',
        message:
          '"docker_list" only reads, so it never asks for confirmation: only "none" is allowed (got "approve")',
      },
      { file: 'policy.json', field: 'filters.containers.deny[3]', message: 'unclosed "[" in "plex[12"' },
    ]);
  });

  it('allows relaxing a confirmation, and reports it as a warning', () => {
    const p = {
      ...DEFAULT_POLICY_SETTINGS,
      confirmModes: { docker_remove: 'token', docker_stop: 'approve' } as const,
    };
    expect(checkPolicySettings(p, tools).problems).toEqual([]);
    expect(relaxedConfirmations(p, tools)).toEqual([
      'confirmModes.docker_remove: "token" is weaker than the tool\'s default "approve"',
    ]);
  });

  it('knownToolsOf maps registry tools', () => {
    expect(
      knownToolsOf([
        { name: 'x', annotations: { readOnlyHint: true } },
        { name: 'y', annotations: { readOnlyHint: false }, confirm: 'token' },
      ]),
    ).toEqual([
      { name: 'x', writing: false, confirm: undefined },
      { name: 'y', writing: true, confirm: 'token' },
    ]);
  });

  it('loadConfig reports problems of both files together', async () => {
    const d = await mkdtemp(join(tmpdir(), 'umcp-pol-'));
    await writeFile(join(d, 'unraid-mcp.cfg'), 'READ_ONLY="perhaps"\n');
    await writeFile(
      join(d, 'policy.json'),
      JSON.stringify({ version: 1, protected: { containers: ['db['] } }),
    );
    await expect(loadConfig(d, tools)).rejects.toThrow(
      'unraid-mcp.cfg: READ_ONLY: must be "yes" or "no"\npolicy.json: protected.containers[0]: unclosed "[" in "db["',
    );
  });
});
