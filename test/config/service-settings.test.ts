import { describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { startTestServer, mcpHeaders, INIT_BODY } from '../helpers/start-server.js';
import { testTools } from '../helpers/test-tools.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the service reads settings through the store', () => {
  it('applies hand edits of unraid-mcp.cfg without restart', async () => {
    const srv = await startTestServer({ tools: testTools });
    try {
      const client = await srv.connect();
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('test_admin_write');
      await writeFile(join(srv.env.configDir, 'unraid-mcp.cfg'), 'READ_ONLY="yes"\n');
      await sleep(300);
      expect(srv.service.settings.readOnly).toBe(true);
      const res = (await client.callTool({
        name: 'test_admin_write',
        arguments: { name: 'x' },
      })) as CallToolResult;
      expect(JSON.stringify(res.content)).toMatch(/read-only mode/);
    } finally {
      await srv.close();
    }
  });

  it('a corrupt policy.json refuses MCP naming file and field, and recovers when fixed', async () => {
    const srv = await startTestServer({ tools: testTools });
    try {
      const policy = join(srv.env.configDir, 'policy.json');
      await writeFile(policy, JSON.stringify({ version: 1, filters: { containers: { deny: ['plex[12'] } } }));
      await sleep(300);
      const post = () =>
        fetch(srv.url, {
          method: 'POST',
          headers: mcpHeaders(srv.secrets.test as string),
          body: JSON.stringify(INIT_BODY),
        });
      const res = await post();
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
        'MCP is disabled until policy.json is fixed: policy.json: filters.containers.deny[0]: unclosed "[" in "plex[12"',
      );
      const ready = await fetch(`${srv.origin}/readyz`);
      expect(((await ready.json()) as { unavailable: string[] }).unavailable).toContain('config');
      await writeFile(
        policy,
        JSON.stringify({ version: 1, filters: { containers: { deny: ['plex[12]'] } } }),
      );
      await sleep(300);
      expect((await post()).status).toBe(200);
      expect(srv.service.settingsStore.current().policy.visible('container', 'plex1')).toBe(false);
    } finally {
      await srv.close();
    }
  });
});
