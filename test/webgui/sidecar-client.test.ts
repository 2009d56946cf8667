import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * The PHP side's socket client on its own (php-cli), against a sidecar that accepts and never answers.
 * PHP's stream timer counts whole milliseconds and often fires just before the deadline: each of those
 * must still come back as a timeout (the page says "did not answer"), never as a broken answer.
 */
const CLIENT = resolve('plugin/usr/local/emhttp/plugins/unraid-mcp/include/sidecar-client.php');
let dir: string;
let hanging: Server;
const held: Socket[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'umcp-phpclient-'));
  hanging = createServer((s) => held.push(s));
  await new Promise<void>((r) => hanging.listen(join(dir, 'admin.sock'), r));
});
afterAll(async () => {
  held.forEach((s) => s.destroy());
  hanging?.close();
  await rm(dir, { recursive: true, force: true });
});

it('a sidecar that never answers is a timeout every time, not an unreadable answer', async () => {
  const script = `
    require ${JSON.stringify(CLIENT)};
    $codes = [];
    for ($i = 0; $i < 40; $i++) {
      $r = unraid_mcp_open('GET', '/api/status', [], '', 0.02 + $i * 0.0007);
      $codes[] = $r['ok'] ? 'answered' : $r['code'];
    }
    echo json_encode(array_count_values($codes));`;
  const { stdout } = await promisify(execFile)('php', ['-r', script], {
    env: { ...process.env, UNRAID_MCP_ADMIN_SOCKET: join(dir, 'admin.sock') },
  });
  expect(JSON.parse(stdout)).toEqual({ timeout: 40 });
});
