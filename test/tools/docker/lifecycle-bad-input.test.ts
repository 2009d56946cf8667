import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startTestServer, type TestServer } from '../../helpers/start-server.js';
import { testDocker } from '../../helpers/docker.js';
import { readAudit } from '../../helpers/audit-file.js';
import { toolsOf } from '../../helpers/test-tools.js';

/**
 * Hostile or malformed arguments to the container lifecycle tools, over real HTTP: each gets a precise
 * error, reaches no Docker write (the containers here keep their exact state), and is audited.
 */
const td = testDocker();
const ids: Record<string, string> = {};
let srv: TestServer;
let client: Client;
const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;
const call = async (name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as CallToolResult;

/** What must not change: state and start time of every container of this file, and the set of containers. */
async function snapshot(): Promise<string> {
  const all = await td.docker.listContainers({ all: true });
  const mine = await Promise.all(
    Object.values(ids).map(async (id) => (await td.docker.getContainer(id).inspect()).State),
  );
  return JSON.stringify({
    names: all.map((c) => c.Names[0]).sort(),
    mine: mine.map((s) => [s.Status, s.StartedAt, s.FinishedAt]),
  });
}

beforeAll(async () => {
  ids['lcb-web'] = await td.createContainer('lcb-web', {}, true);
  ids['lcb-idle'] = await td.createContainer('lcb-idle');
  srv = await startTestServer({
    env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` },
    tools: toolsOf('docker'),
    policy: { confirmModes: { docker_stop: 'none', docker_remove: 'none' } },
  });
  client = await srv.connect();
});
afterAll(async () => {
  await srv.close();
  await td.cleanup();
});

// The resolver quotes the reference JSON-escaped, so a newline arrives as the two characters \\n.
const NOT_A_NAME =
  /^"(.{1,80})" is not a container name or ID \(names are letters, digits, "_", "\." and "-"; IDs are hex\)\.$/s;

describe('hostile container references', () => {
  const refs: Array<[string, string]> = [
    ['shell metacharacters', 'lcb-web; rm -rf /'],
    ['command substitution', '$(reboot)'],
    ['a path climb', '../lcb-web'],
    ['a URL-encoded path climb', '%2e%2e%2flcb-web'],
    ['a URL-encoded API path', 'lcb-web%2Fkill'],
    ['a zero-width character', 'lcb-web\u200b'],
    ['a newline', 'lcb-web\nstop'],
  ];

  it.each(refs)('%s: a precise error, for every tool, with nothing sent to Docker', async (_what, ref) => {
    const before = await snapshot();
    for (const tool of [
      'docker_start',
      'docker_stop',
      'docker_restart',
      'docker_pause',
      'docker_unpause',
      'docker_remove',
    ]) {
      const res = await call(tool, { id: ref, ...(tool === 'docker_remove' ? { force: true } : {}) });
      expect(res.isError, tool).toBe(true);
      expect(text(res), tool).toMatch(NOT_A_NAME);
      expect(res._meta?.['unraid-mcp/confirmation'], tool).toBeUndefined();
    }
    expect(await snapshot()).toBe(before);
  });

  it('a 10 KB reference is refused by validation and not echoed back', async () => {
    const before = await snapshot();
    const res = await call('docker_stop', { id: 'x'.repeat(10 * 1024) });
    expect(text(res)).toBe(
      'Invalid arguments for docker_stop: "id": Too big: expected string to have <=128 characters',
    );
    expect(await snapshot()).toBe(before);
  });

  it('an unknown container and a too-short ID prefix are not found, not guessed', async () => {
    const before = await snapshot();
    expect(text(await call('docker_stop', { id: 'lcb-nope' }))).toBe(
      'No container named or with ID "lcb-nope". Use docker_list to see the containers.',
    );
    const three = (ids['lcb-web'] as string).slice(0, 3);
    expect(text(await call('docker_remove', { id: three, force: true }))).toBe(
      `No container named or with ID "${three}". Use docker_list to see the containers.`,
    );
    expect(await snapshot()).toBe(before);
  });
});

describe('malformed arguments', () => {
  it.each([
    [
      'a timeout over 600 s',
      'docker_stop',
      { id: 'lcb-web', timeout: 601 },
      '"timeout": Too big: expected number to be <=600',
    ],
    [
      'a negative timeout',
      'docker_restart',
      { id: 'lcb-web', timeout: -1 },
      '"timeout": Too small: expected number to be >=0',
    ],
    [
      'a timeout smuggling a command',
      'docker_stop',
      { id: 'lcb-web', timeout: '10; reboot' },
      '"timeout": Invalid input: expected number, received string',
    ],
    [
      'a fractional timeout',
      'docker_stop',
      { id: 'lcb-web', timeout: 1.5 },
      '"timeout": Invalid input: expected int, received number',
    ],
    [
      'force as a string',
      'docker_remove',
      { id: 'lcb-web', force: 'yes' },
      '"force": Invalid input: expected boolean, received string',
    ],
    [
      'an unknown argument',
      'docker_start',
      { id: 'lcb-web', cmd: 'sh' },
      'unknown argument "cmd" (not in this tool\'s input schema)',
    ],
    ['a missing id', 'docker_pause', {}, '"id": Invalid input: expected string, received undefined'],
  ])('%s is refused with a message naming the argument', async (_what, tool, args, message) => {
    const before = await snapshot();
    expect(text(await call(tool, args))).toBe(`Invalid arguments for ${tool}: ${message}`);
    expect(await snapshot()).toBe(before);
  });
});

describe('audit of refused input', () => {
  it('every refusal has an intent and an outcome with the rule and the error code', async () => {
    const records = (await readAudit(srv.env.auditDir)).filter((r) => r.stage !== 'event');
    const refusals = records.filter((r) => r.decision.allowed === false);
    // 7 hostile references × 6 tools, the 10 KB one, 2 not-found, 7 malformed: each an intent plus an outcome.
    expect(refusals).toHaveLength((7 * 6 + 1 + 2 + 7) * 2);
    const metachar = refusals.filter(
      (r) => (r.target as { ref?: string } | null)?.ref === 'lcb-web; rm -rf /',
    );
    expect(metachar.map((r) => [r.tool, r.stage, r.decision.rule])).toContainEqual([
      'docker_remove',
      'outcome',
      'target',
    ]);
    expect(metachar.find((r) => r.stage === 'outcome')).toMatchObject({
      result: { status: 'error', code: 'invalid_input' },
    });
    const long = refusals.find(
      (r) =>
        r.stage === 'outcome' &&
        r.decision.rule === 'invalid_arguments' &&
        r.tool === 'docker_stop' &&
        ((r as { argsBytes?: number }).argsBytes ?? 0) > 10_000,
    );
    expect(long).toMatchObject({ result: { status: 'error', code: 'invalid_input' }, target: null });
    expect(records.filter((r) => r.decision.allowed === true)).toHaveLength(0);
  });
});
