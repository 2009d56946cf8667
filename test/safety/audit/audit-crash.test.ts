import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { verifyAudit } from '../../../server/safety/audit/audit-verify.js';
import { openLog, readAll, tempDir, removeTempDirs } from './audit-helpers.js';

afterAll(removeTempDirs);

const COMPILED = resolve(import.meta.dirname, '../../../dist/server/safety/audit/audit-log.js');

beforeAll(() => {
  if (!existsSync(COMPILED))
    throw new Error(`${COMPILED} is missing: run "npm run build" first (npm test does this).`);
});

/**
 * The child: 16 concurrent writers appending durable records as fast as they can through the
 * compiled AuditLog, printing each acknowledged seq. stdout to a pipe is synchronous on Linux, so
 * a printed ack left the process before the kill.
 */
const CHILD = `
import { AuditLog } from ${JSON.stringify(COMPILED)};
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const log = new AuditLog({ dir: process.argv[2], persistent: true, log: quiet, maxFileBytes: 256 * 1024, keepFiles: 1000 });
await log.open();
process.stdout.write('ready\\n');
const pad = 'x'.repeat(3000);
async function writer(w) {
  for (let i = 0; ; i++) {
    const r = await log.append({ id: w + '-' + i, time: new Date().toISOString(), stage: 'intent', principal: 'burst', client: null, session: null,
      tool: 'docker_stop', target: { kind: 'container', ref: 'c' + w }, args: { pad }, decision: { allowed: true, rule: null } }, true);
    process.stdout.write('ack ' + r.seq + '\\n');
  }
}
for (let w = 0; w < 16; w++) writer(w);
`;

describe('kill -9 during a burst of durable appends', () => {
  it('loses no acknowledged record, and the reopened chain verifies', async () => {
    const dir = await tempDir();
    const script = join(await tempDir('umcp-child-'), 'burst.mjs');
    await writeFile(script, CHILD);
    const child = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked: number[] = [];
    let buffered = '';
    const killed = new Promise<void>((resolveKilled, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) =>
        signal === 'SIGKILL' ? resolveKilled() : reject(new Error(`child exited with ${code}`)),
      );
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() as string;
        for (const l of lines) if (l.startsWith('ack ')) acked.push(Number(l.slice(4)));
        // Mid-burst: well past several rotations, at whatever point this chunk of output arrived.
        if (acked.length >= 3000 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
      });
    });
    await killed;
    expect(acked.length).toBeGreaterThanOrEqual(3000);

    const log = await openLog(dir, { maxFileBytes: 256 * 1024, keepFiles: 1000 });
    const after = await log.append(
      {
        id: 'after',
        time: new Date().toISOString(),
        stage: 'event',
        principal: 'system',
        event: 'test.after-crash',
        details: {},
      },
      true,
    );
    await log.close();

    const seqs = new Set((await readAll(dir)).map((r) => r.seq));
    const lost = acked.filter((s) => !seqs.has(s));
    expect(lost).toEqual([]);
    const report = await verifyAudit(dir);
    expect(report).toMatchObject({ ok: true, firstSeq: 1, lastSeq: after.seq });
    expect(report.files).toBeGreaterThan(3);
  });
});
