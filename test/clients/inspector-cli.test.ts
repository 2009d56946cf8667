import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/start-server.js';

/**
 * The MCP Inspector's CLI (@modelcontextprotocol/inspector, `--cli`) as a third-party 2025 client of a
 * real sidecar: the plain Streamable HTTP transport with `--header "Authorization: Bearer …"` and the
 * 2025 handshake (`--protocol-era legacy`), as a user would run it. It needs Node >= 22.19, so it runs
 * on the Node that scripts/conformance.mjs provides (--print-node).
 */

const ROOT = resolve(import.meta.dirname, '../..');
const INSPECTOR = join(ROOT, 'node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((done) => {
    execFile(cmd, args, { env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

function lastJsonLine(text: string): Record<string, any> {
  const line = text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .at(-1);
  try {
    return line ? (JSON.parse(line) as Record<string, any>) : {};
  } catch {
    return {};
  }
}

describe('MCP Inspector CLI against the sidecar', () => {
  let server: TestServer;
  let node22: string;
  let home: string;

  beforeAll(async () => {
    if (!existsSync(INSPECTOR)) throw new Error(`${INSPECTOR} is missing: run npm ci`);
    const found = await run(process.execPath, [join(ROOT, 'scripts/conformance.mjs'), '--print-node']);
    if (found.code !== 0) throw new Error(`no Node >= 22 for the Inspector: ${found.stderr}`);
    node22 = found.stdout.trim();
    // The Inspector keeps a catalog, client config and OAuth state under ~/.mcp-inspector: a private HOME.
    home = await mkdtemp(join(tmpdir(), 'umcp-inspector-home-'));
    server = await startTestServer({
      tokens: [
        { name: 'reader', scope: 'read' },
        { name: 'operator', scope: 'operate' },
      ],
    });
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  /** `mcp-inspector --cli <url> --transport http … --format json`, never interactive (no OAuth login). */
  async function inspector(
    args: string[],
    headers: string[] = [],
    era: 'legacy' | 'auto' | 'modern' = 'legacy',
  ): Promise<Run & { json: Record<string, any> }> {
    const env = { ...process.env, HOME: home, MCP_AUTO_OPEN_ENABLED: 'false' };
    const out = await run(
      node22,
      [
        INSPECTOR,
        '--cli',
        server.url,
        '--transport',
        'http',
        '--protocol-era',
        era,
        '--stored-auth-only',
        '--format',
        'json',
        ...headers.flatMap((h) => ['--header', h]),
        ...args,
      ],
      env,
    );
    // --format json: the result as one JSON line on stdout, an error envelope as one on stderr.
    const json = { ...lastJsonLine(out.stdout), ...lastJsonLine(out.stderr) };
    return { ...out, json };
  }

  const bearer = () => [`Authorization: Bearer ${server.secrets.reader}`];

  it('runs on Node >= 22.19', async () => {
    const version = (await run(node22, ['--version'])).stdout.trim();
    const [major, minor] = version.slice(1).split('.').map(Number);
    expect(major! > 22 || (major === 22 && minor! >= 19), version).toBe(true);
  });

  it('tools/list: the same tools our own client sees for this token', async () => {
    const out = await inspector(['--method', 'tools/list'], bearer());
    expect(out.code, out.stderr).toBe(0);
    const names = (out.json.result?.tools ?? []).map((t: { name: string }) => t.name);
    const client = await server.connect('reader');
    const ours = (await client.listTools()).tools.map((t) => t.name);
    expect(ours.length).toBeGreaterThan(5);
    expect(names).toEqual(ours);
    expect(names).toEqual(expect.arrayContaining(['system_overview', 'system_array_status', 'vm_list']));
    // A read token is never offered a writing tool.
    expect(names).not.toContain('docker_stop');
  }, 60_000);

  it('tools/call system_array_status: the fixture host state, as structuredContent and as text', async () => {
    const out = await inspector(['--method', 'tools/call', '--tool-name', 'system_array_status'], bearer());
    expect(out.code, out.stderr).toBe(0);
    const result = out.json.result;
    expect(result?.isError ?? false, JSON.stringify(result)).toBe(false);
    const text = result.content.find((c: { type: string }) => c.type === 'text')?.text as string;
    expect(JSON.parse(text)).toEqual(result.structuredContent);
    // testdata/emhttp/parity-check-running: a started array with a correcting parity check at 62.49 %.
    expect(result.structuredContent).toMatchObject({
      arrayState: 'STARTED',
      started: true,
      operation: { kind: 'parity_check', correcting: true, percent: 62.49 },
    });
  }, 60_000);

  it('tools/call with an argument the tool does not take: the tool error names it', async () => {
    const out = await inspector(
      ['--method', 'tools/call', '--tool-name', 'system_array_status', '--tool-arg', 'disk=parity'],
      bearer(),
    );
    expect(out.code, out.stderr).not.toBe(0);
    expect(out.json.result?.isError, `${out.stdout}\n${out.stderr}`).toBe(true);
    expect(out.json.result.content[0].text).toBe(
      'Invalid arguments for system_array_status: unknown argument "disk" (not in this tool\'s input schema)',
    );
    expect(out.json.error?.code).toBe('tool_is_error');
  }, 60_000);

  /** The sidecar's JSON-RPC error, as the Inspector quotes the HTTP body in its error envelope. */
  function serverMessage(out: Run & { json: Record<string, any> }): string {
    const message = String(out.json.error?.message ?? '');
    const body = JSON.parse(message.slice(message.indexOf('{'))) as { error: { message: string } };
    return body.error.message;
  }

  it('without a token: fails with our 401 message', async () => {
    const out = await inspector(['--method', 'tools/list']);
    expect(out.code, out.stdout).not.toBe(0);
    expect(out.json.error?.code, out.stderr).toBe('auth_required');
    expect(serverMessage(out)).toBe(
      'Missing bearer token. Send "Authorization: Bearer <token>"; the owner creates tokens in Settings → ' +
        'unraid-mcp or with "unraid-mcp token create".',
    );
  }, 60_000);

  it('with a wrong token: fails with our 401 message, which says how to get a token', async () => {
    const out = await inspector(['--method', 'tools/list'], [`Authorization: Bearer umcp_${'x'.repeat(43)}`]);
    expect(out.code, out.stdout).not.toBe(0);
    expect(out.json.error?.code, out.stderr).toBe('auth_required');
    expect(serverMessage(out)).toBe(
      'Invalid token: it was mistyped, revoked, or belongs to another server. The owner lists tokens with ' +
        '"unraid-mcp token list" and creates one with "unraid-mcp token create" (or in Settings → unraid-mcp).',
    );
  }, 60_000);

  // The Inspector also speaks the stateless revision: negotiating (auto: server/discover first) and
  // modern-only. The same tools and the same answers, with no session at all.
  it.each(['auto', 'modern'] as const)(
    '--protocol-era %s: lists and calls over 2026-07-28',
    async (era) => {
      const listed = await inspector(['--method', 'tools/list'], bearer(), era);
      expect(listed.code, listed.stderr).toBe(0);
      const client = await server.connect('reader');
      const ours = (await client.listTools()).tools.map((t) => t.name);
      expect(listed.json.result?.tools.map((t: { name: string }) => t.name)).toEqual(ours);
      const called = await inspector(
        ['--method', 'tools/call', '--tool-name', 'system_array_status'],
        bearer(),
        era,
      );
      expect(called.code, called.stderr).toBe(0);
      expect(called.json.result.structuredContent).toMatchObject({ arrayState: 'STARTED', started: true });
      const before = await sessionsOpen();
      await inspector(['--method', 'tools/list'], bearer(), era);
      expect(await sessionsOpen()).toBe(before);
    },
    60_000,
  );

  /** Open 2025 sessions, from /metrics. */
  async function sessionsOpen(): Promise<number> {
    const res = await fetch(`${server.origin}/metrics`, {
      headers: { Authorization: `Bearer ${server.secrets.reader}` },
    });
    const line = (await res.text()).split('\n').find((l) => l.startsWith('unraid_mcp_sessions_active '));
    return Number(line?.split(' ')[1]);
  }

  it('tools/call of a token-confirmed write: the first call only asks (the Inspector exits 5 on that tool error), the call with the token acts', async () => {
    const operator = [`Authorization: Bearer ${server.secrets.operator}`];
    const args = [
      '--method',
      'tools/call',
      '--tool-name',
      'vm_autostart',
      '--tool-arg',
      'id=test',
      '--tool-arg',
      'enabled=true',
    ];
    const first = await inspector(args, operator);
    expect(first.json.result?.isError, `${first.stdout}\n${first.stderr}`).toBe(true);
    expect(first.code).toBe(5);
    expect(first.json.result.content[0].text).toMatch(/^Confirmation needed — nothing was done yet\./);
    const token = first.json.result._meta['unraid-mcp/confirmation'].token as string;
    const second = await inspector([...args, '--tool-arg', `confirmation_token=${token}`], operator);
    expect(second.code, `${second.stdout}\n${second.stderr}`).toBe(0);
    expect(second.json.result.isError ?? false).toBe(false);
    expect(second.json.result.structuredContent).toMatchObject({ autostart: true });
  }, 60_000);
});
