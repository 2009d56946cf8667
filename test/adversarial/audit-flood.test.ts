import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { testTools } from '../helpers/test-tools.js';
import { readAudit } from '../helpers/audit-file.js';
import { canonicalJson } from '../../server/safety/audit/canonical-json.js';
import { KEPT_BYTES } from '../../server/mcp/pipeline/audit-bounds.js';

/**
 * The attack: a token that may only read sends invalid calls with a 900 KB argument. Every call is
 * recorded twice (intent and outcome), and each record used to keep the whole argument: about sixty
 * calls filled the ten rotated 10 MiB files and rotation deleted the oldest, so the owner's history
 * was gone. Now a record keeps the first 256 bytes of a long value with its size, and a SHA-256 and
 * size of the whole arguments, so it still proves what was sent; a hundred such calls leave a few
 * hundred kilobytes, and nothing is rotated away.
 */
const CALLS = 100;
const BIG = 900_000;
let srv: TestServer;

const textOf = (r: CallToolResult) => (r.content[0] as { text: string }).text;

async function auditBytes(dir: string): Promise<{ files: string[]; bytes: number }> {
  const files = (await readdir(dir)).sort();
  let bytes = 0;
  for (const f of files) bytes += (await stat(join(dir, f))).size;
  return { files, bytes };
}

beforeAll(async () => {
  srv = await startTestServer({ tools: testTools, tokens: [{ name: 'reader', scope: 'read' }] });
});
afterAll(() => srv?.close());

describe('invalid calls with 900 KB arguments from a read token', () => {
  it(
    'are refused as invalid, and the audit log stays small, whole and able to prove what was sent',
    { timeout: 120_000 },
    async () => {
      const client = await srv.connect('reader');
      const results: CallToolResult[] = [];
      const sent: Array<Record<string, unknown>> = [];
      for (let i = 0; i < CALLS; i++) {
        // A different argument each time: every record must prove its own.
        const args = { message: `${String(i).padStart(3, '0')}${'A'.repeat(BIG - 3)}` };
        sent.push(args);
        results.push((await client.callTool({ name: 'test_echo', arguments: args })) as CallToolResult);
      }

      // Each call is answered: invalid, or (if this client outran its token's rate) the rate limit.
      const invalid = results.filter((r) => textOf(r).startsWith('Invalid arguments for test_echo: '));
      const limited = results.filter((r) => textOf(r).startsWith('Too many calls from this token'));
      expect(invalid.length + limited.length).toBe(CALLS);
      expect(invalid.length).toBeGreaterThanOrEqual(60); // the default burst
      for (const r of results) expect(r.isError).toBe(true);

      // Small: the hundred calls wrote well under 2 MB (they used to write 180 MB).
      const { files, bytes } = await auditBytes(srv.env.auditDir);
      expect(bytes).toBeLessThan(2_000_000);

      // Whole: no file was rotated (let alone deleted), and the chain verifies from its first record.
      expect(files.filter((f) => f.startsWith('audit') && f.endsWith('.jsonl'))).toEqual(['audit.jsonl']);
      const verify = (await srv.admin('GET', '/api/audit/verify')).json as {
        ok: boolean;
        firstSeq: number;
        rotatedAwayFiles: number;
      };
      expect(verify).toMatchObject({ ok: true, firstSeq: 1, rotatedAwayFiles: 0 });

      // Proving: each record keeps the start of the argument, its size, and the hash of all of it.
      const records = (await readAudit(srv.env.auditDir)).filter(
        (r) => r.stage !== 'event' && r.tool === 'test_echo',
      );
      expect(records).toHaveLength(2 * invalid.length);
      const hashes = new Map(
        sent.map((args) => [
          createHash('sha256').update(canonicalJson(args)).digest('hex'),
          (args.message as string).slice(0, KEPT_BYTES),
        ]),
      );
      for (const rec of records) {
        const r = rec as typeof rec & { argsSha256?: string; argsBytes?: number };
        expect(r.principal).toBe('reader');
        expect(r.decision).toEqual({ allowed: false, rule: 'invalid_arguments' });
        expect(r.argsBytes).toBe(Buffer.byteLength(canonicalJson({ message: 'x'.repeat(BIG) })));
        const prefix = hashes.get(r.argsSha256 as string);
        expect(prefix).toBeDefined();
        expect(r.args).toEqual({ message: `${prefix}… (${BIG} bytes)` });
        if (r.stage === 'outcome') expect(Buffer.byteLength(r.result?.message ?? '')).toBeLessThan(1100);
      }
      // Every call that got through the rate limit is on record under its own hash.
      expect(new Set(records.map((r) => (r as { argsSha256?: string }).argsSha256)).size).toBe(
        invalid.length,
      );
    },
  );
});
