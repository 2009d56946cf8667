import { afterAll, describe, expect, it } from 'vitest';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { locateRecord } from '../../../server/safety/audit/audit-lookup.js';
import { chainFiles, intent, openLog, readAll, removeTempDirs, tempDir } from './audit-helpers.js';

afterAll(removeTempDirs);

describe('record by seq', () => {
  it('finds every record across rotated files by bisection, with its file and offset', async () => {
    const dir = await tempDir();
    // Files of ~100 KiB: large enough that bisection (not the forward scan) does the finding.
    const log = await openLog(dir, { maxFileBytes: 100 * 1024, keepFiles: 100 });
    for (let i = 0; i < 800; i++) await log.append(intent({ args: { i, pad: 'x'.repeat(i % 50) } }), false);
    expect((await chainFiles(dir)).length).toBeGreaterThanOrEqual(4);
    const all = await readAll(dir);
    for (const seq of [1, 2, 199, 200, 201, 433, 799, 800]) {
      const found = await locateRecord(dir, seq);
      expect(found?.record).toEqual(all.find((r) => r.seq === seq));
      const name = found!.file;
      const text = await import('node:fs/promises').then((fs) => fs.readFile(join(dir, name)));
      expect(text.subarray(found!.offset).toString('utf8').split('\n')[0]).toContain(`"seq":${seq},`);
    }
    expect(await locateRecord(dir, 801)).toBeNull();
    await log.close();
  });

  it('still finds a record behind a damaged line, and nothing past the end', async () => {
    const dir = await tempDir();
    const log = await openLog(dir);
    for (let i = 0; i < 300; i++) await log.append(intent(), false);
    await log.close();
    await appendFile(join(dir, 'audit.jsonl'), 'not json\n');
    expect((await locateRecord(dir, 300))?.record.seq).toBe(300);
    expect((await locateRecord(dir, 17))?.record.seq).toBe(17);
    expect(await locateRecord(dir, 301)).toBeNull();
  });
});
