import { beforeAll, describe, expect, it } from 'vitest';
import { readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { assertBuilt, runCli, serve, tempEnv } from '../helpers/cli.js';
import { INIT_BODY, mcpHeaders } from '../helpers/start-server.js';
import { readAudit } from '../helpers/audit-file.js';

beforeAll(assertBuilt);

const lastLine = (s: string) => s.trimEnd().split('\n').pop() as string;

describe('unraid-mcp token', () => {
  it('create prints the secret last, stores only its hash in a 0600 tokens.json', async () => {
    const env = await tempEnv();
    const r = await runCli(
      ['token', 'create', '--name', 'claude', '--scope', 'operate', '--expires', '30d'],
      env,
    );
    expect(r.code).toBe(0);
    const secret = lastLine(r.stdout);
    expect(secret).toMatch(/^umcp_[A-Za-z0-9_-]{43}$/);
    const file = join(env.UNRAID_MCP_CONFIG_DIR as string, 'tokens.json');
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(secret);
    const json = JSON.parse(text) as {
      tokens: Array<{ name: string; sha256: string; scope: string; expires: string }>;
    };
    expect(json.tokens[0]).toMatchObject({
      name: 'claude',
      scope: 'operate',
      sha256: createHash('sha256').update(secret).digest('hex'),
    });
    const days = (Date.parse(json.tokens[0]?.expires as string) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // The service is not running here: the CLI changed the file itself and audited it itself.
    const events = (await readAudit(env.UNRAID_MCP_AUDIT_DIR as string)).filter((r) => r.stage === 'event');
    expect(events.map((e) => [e.event, e.principal, e.details?.name])).toEqual([
      ['admin.token_created', 'cli', 'claude'],
    ]);
    expect(JSON.stringify(events)).not.toContain(secret);
  });

  it('list shows names, scopes and expiry but never a secret; revoke removes the token', async () => {
    const env = await tempEnv();
    const secret = lastLine(
      (await runCli(['token', 'create', '--name', 'reader', '--scope', 'read'], env)).stdout,
    );
    await runCli(['token', 'create', '--name', 'ops', '--scope', 'admin', '--expires', '12h'], env);
    const list = await runCli(['token', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^NAME\s+SCOPE\s+CREATED\s+EXPIRES\s+LAST USED$/m);
    expect(list.stdout).toMatch(/^reader\s+read\s+\S+\s+never\s+never$/m);
    expect(list.stdout).not.toContain(secret);
    expect(list.stdout).not.toMatch(/umcp_/);
    const json = JSON.parse((await runCli(['token', 'list', '--json'], env)).stdout) as Array<{
      name: string;
    }>;
    expect(json.map((t) => t.name)).toEqual(['reader', 'ops']);
    expect((await runCli(['token', 'revoke', 'reader'], env)).code).toBe(0);
    expect((await runCli(['token', 'list'], env)).stdout).not.toMatch(/^reader/m);
    const again = await runCli(['token', 'revoke', 'reader'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('no token named "reader"');
  });

  it('rejects bad input with a precise message', async () => {
    const env = await tempEnv();
    const scope = await runCli(['token', 'create', '--name', 'x', '--scope', 'root'], env);
    expect([scope.code, scope.stderr]).toEqual([
      2,
      expect.stringContaining('--scope must be one of read, operate, admin'),
    ]);
    const name = await runCli(['token', 'create', '--name', '../etc', '--scope', 'read'], env);
    expect([name.code, name.stderr]).toEqual([
      1,
      expect.stringContaining('token name "../etc" is not allowed'),
    ]);
    const exp = await runCli(['token', 'create', '--name', 'x', '--scope', 'read', '--expires', 'soon'], env);
    expect([exp.code, exp.stderr]).toEqual([
      1,
      expect.stringContaining('--expires soon: use a duration like 90m'),
    ]);
    await runCli(['token', 'create', '--name', 'dup', '--scope', 'read'], env);
    const dup = await runCli(['token', 'create', '--name', 'dup', '--scope', 'read'], env);
    expect([dup.code, dup.stderr]).toEqual([
      1,
      expect.stringContaining('a token named "dup" already exists'),
    ]);
    const unknown = await runCli(
      ['token', 'create', '--name', 'y', '--scope', 'read', '--colour', 'red'],
      env,
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--colour'");
  });
});

describe('unraid-mcp config check', () => {
  it('accepts a valid directory', async () => {
    const env = await tempEnv();
    await runCli(['token', 'create', '--name', 'a', '--scope', 'read'], env);
    await writeFile(
      join(env.UNRAID_MCP_CONFIG_DIR as string, 'unraid-mcp.cfg'),
      'READ_ONLY="yes"\nTOOLSETS="system,docker"\n',
    );
    const r = await runCli(['config', 'check'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('is valid');
  });

  it('names every problem with its file and field', async () => {
    const env = await tempEnv();
    const dir = env.UNRAID_MCP_CONFIG_DIR as string;
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'unraid-mcp.cfg'),
      'READ_ONLY="sometimes"\nTOOLSETS="system,printers"\nRESPONSE_CAP_KB="2"\nthis is not a setting\nCOLOUR="blue"\n',
    );
    await writeFile(
      join(dir, 'tokens.json'),
      JSON.stringify({
        version: 1,
        tokens: [
          { name: 'a', sha256: 'abc', scope: 'superuser', created: '2026-01-01T00:00:00Z', expires: null },
        ],
      }),
    );
    const r = await runCli(['config', 'check'], env);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'unraid-mcp.cfg: line 4: cannot read line 4: expected KEY="value"',
        expect.stringMatching(/^unraid-mcp.cfg: READ_ONLY: /),
        expect.stringMatching(/^unraid-mcp.cfg: TOOLSETS(\.1)?: unknown toolset "printers"/),
        'unraid-mcp.cfg: RESPONSE_CAP_KB: must be at least 4',
        expect.stringMatching(/^unraid-mcp.cfg: COLOUR: unknown setting/),
        'tokens.json: tokens[0].sha256: must be 64 lowercase hex digits (a SHA-256 hash)',
        expect.stringMatching(/^tokens.json: tokens\[0\].scope: /),
      ]),
    );
  });

  it('names policy.json problems with file and field', async () => {
    const env = await tempEnv();
    const dir = env.UNRAID_MCP_CONFIG_DIR as string;
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'policy.json'),
      JSON.stringify({
        version: 1,
        filters: { containers: { deny: ['ok', 'plex*', 'a/b', 'plex[12'] } },
        protected: { vms: [''] },
        confirmModes: { docker_nuke: 'none', system_overview: 'approve' },
      }),
    );
    const r = await runCli(['config', 'check'], env);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^policy.json: confirmModes.docker_nuke: unknown tool \(known: .*docker_list, /,
        ),
        'policy.json: confirmModes.system_overview: "system_overview" only reads, so it never asks for confirmation: only "none" is allowed (got "approve")',
        'policy.json: filters.containers.deny[2]: contains "/", which container and VM names cannot hold, in "a/b"',
        'policy.json: filters.containers.deny[3]: unclosed "[" in "plex[12"',
        'policy.json: protected.vms[0]: is empty (use "*" to match every name)',
      ]),
    );
    await writeFile(join(dir, 'policy.json'), '{"version":1,"filters":');
    const half = await runCli(['config', 'check'], env);
    expect(half.code).toBe(1);
    expect(half.stderr).toMatch(/^policy.json: \(file\): is not valid JSON/m);
    await writeFile(
      join(dir, 'policy.json'),
      JSON.stringify({ version: 1, filters: { vms: { deny: ['Windows 11 (Gaming)', 'Büro-*'] } } }),
    );
    const ok = await runCli(['config', 'check'], env);
    expect([ok.code, ok.stdout]).toEqual([0, expect.stringContaining('is valid')]);
  });

  it('reports unparseable JSON', async () => {
    const env = await tempEnv();
    await mkdir(env.UNRAID_MCP_CONFIG_DIR as string, { recursive: true });
    await writeFile(join(env.UNRAID_MCP_CONFIG_DIR as string, 'tokens.json'), '{"version":1,"tokens":[');
    const r = await runCli(['config', 'check'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tokens.json: \(file\): is not valid JSON/m);
  });

  it('names a bad environment variable', async () => {
    const r = await runCli(['config', 'check'], await tempEnv({ UNRAID_MCP_PORT: 'eighty' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('environment: UNRAID_MCP_PORT: "eighty" is not a port number');
  });
});

describe('unraid-mcp serve', () => {
  const initWith = (origin: string, secret: string) =>
    fetch(`${origin}/mcp`, { method: 'POST', headers: mcpHeaders(secret), body: JSON.stringify(INIT_BODY) });

  it('prints its URL when ready, sees token changes without restart, and exits 0 on SIGTERM', async () => {
    const env = await tempEnv();
    const s = await serve(env);
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      expect((await initWith(s.origin, 'umcp_nothing')).status).toBe(401);
      const secret = lastLine(
        (await runCli(['token', 'create', '--name', 'late', '--scope', 'read'], env)).stdout,
      );
      await new Promise((r) => setTimeout(r, 300));
      expect((await initWith(s.origin, secret)).status).toBe(200);
      await runCli(['token', 'revoke', 'late'], env);
      await new Promise((r) => setTimeout(r, 300));
      expect((await initWith(s.origin, secret)).status).toBe(401);
      // With the service running, the CLI went through its admin API: one writer, audited as "cli".
      const events = (await readAudit(env.UNRAID_MCP_AUDIT_DIR as string)).filter(
        (r) => r.stage === 'event' && r.event?.startsWith('admin.token_'),
      );
      expect(events.map((e) => [e.event, e.principal])).toEqual([
        ['admin.token_created', 'cli'],
        ['admin.token_revoked', 'cli'],
      ]);
    } finally {
      expect(await s.stop()).toBe(0);
    }
    expect(s.stderr()).toContain('"msg":"stopped"');
  });

  it('with a corrupt tokens.json stays up but refuses MCP with a clear message, and recovers when fixed', async () => {
    const env = await tempEnv();
    const secret = lastLine(
      (await runCli(['token', 'create', '--name', 'a', '--scope', 'read'], env)).stdout,
    );
    const file = join(env.UNRAID_MCP_CONFIG_DIR as string, 'tokens.json');
    const good = await readFile(file, 'utf8');
    await writeFile(file, good.slice(0, good.length / 2));
    const s = await serve(env);
    try {
      const res = await initWith(s.origin, secret);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
        /^MCP is disabled until tokens.json is fixed: tokens.json: \(file\): is not valid JSON/,
      );
      const ready = await fetch(`${s.origin}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { unavailable: string[] }).unavailable).toContain('config');
      expect((await fetch(`${s.origin}/healthz`)).status).toBe(200);
      await writeFile(file, good);
      await new Promise((r) => setTimeout(r, 300));
      expect((await initWith(s.origin, secret)).status).toBe(200);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });
});
