import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertBuilt, runCli, tempEnv } from '../../helpers/cli.js';
import { appendMany, openLog, removeTempDirs } from './audit-helpers.js';

beforeAll(assertBuilt);
afterAll(removeTempDirs);

async function envWithLog(n: number): Promise<{ env: Record<string, string>; dir: string }> {
  const env = await tempEnv();
  const dir = env.UNRAID_MCP_AUDIT_DIR as string;
  const log = await openLog(dir);
  await appendMany(log, n);
  await log.close();
  return { env, dir };
}

describe('unraid-mcp audit verify', () => {
  it('prints OK with the record and file counts and exits 0', async () => {
    const { env } = await envWithLog(5);
    const r = await runCli(['audit', 'verify'], env);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      0,
      'OK: 5 records in 1 file, chain intact (from seq 1 to 5)\n',
      '',
    ]);
  });

  it('names the first broken record and exits 1', async () => {
    const { env, dir } = await envWithLog(5);
    const path = join(dir, 'audit.jsonl');
    await writeFile(
      path,
      (await readFile(path, 'utf8')).replace(/"docker_restart"(?=.*\n.*\n.*\n$)/, '"docker_remove"'),
    );
    const r = await runCli(['audit', 'verify'], env);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe(
      'BROKEN: audit.jsonl line 3 (seq 3): hash mismatch: the record was changed after it was written',
    );
  });

  it('gives the report as JSON with --json', async () => {
    const { env, dir } = await envWithLog(2);
    const r = await runCli(['audit', 'verify', '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      dir,
      ok: true,
      records: 2,
      files: 1,
      firstSeq: 1,
      lastSeq: 2,
      problem: null,
    });
  });

  it('reports a missing directory and bad options precisely', async () => {
    const env = await tempEnv();
    const missing = await runCli(['audit', 'verify'], env);
    expect([missing.code, missing.stderr]).toEqual([
      1,
      expect.stringContaining(`audit directory ${env.UNRAID_MCP_AUDIT_DIR} does not exist`),
    ]);
    const bad = await runCli(['audit', 'verify', '--fix'], env);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining("Unknown option '--fix'")]);
  });

  it('is listed in the usage text', async () => {
    expect((await runCli(['help'], await tempEnv())).stdout).toContain('unraid-mcp audit verify');
  });
});
