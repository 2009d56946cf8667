import { appendFile, copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { writeFileAtomic } from '../../config/atomic-write.js';

/**
 * A keyed set of records kept as an append-only journal: one JSON line per change, holding the record
 * as it stands after the change, so a change writes one line instead of the whole set. Read back, the
 * last line of each id wins. `compact` rewrites the file (atomically) with one line per live record;
 * the owner of the journal calls it at load and when `needsCompaction` says the file has grown well
 * past the live set, so its size stays proportional to what is kept.
 *
 * Crash safety: each change is one append. If the process dies in the middle of one, only the file's
 * last line is cut off: it is dropped and every line before it is kept (the change it recorded never
 * finished, so nothing acted on it). Any other unreadable line means the file was damaged some other
 * way and cannot be trusted — a lost line could be the one that used up an approval — so the whole
 * file is reported corrupt.
 */
export type JournalRead<T> =
  | { state: 'missing' }
  | { state: 'ok'; records: T[]; lines: number; tornTail: boolean }
  | { state: 'corrupt'; line: number; reason: string };

export class EntryJournal<T extends { id: string }> {
  /** Lines in the file since it was last compacted (or read). */
  private lines = 0;
  private dirMade = false;

  constructor(
    readonly path: string,
    private readonly schema: z.ZodType<T>,
  ) {}

  async read(): Promise<JournalRead<T>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
      return { state: 'corrupt', line: 0, reason: (err as NodeJS.ErrnoException).code ?? 'unreadable' };
    }
    const result = parseJournal(text, this.schema);
    if (result.state === 'ok') this.lines = result.lines;
    return result;
  }

  /** Appends the record as it now stands. */
  async append(record: T): Promise<void> {
    if (!this.dirMade) await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    this.dirMade = true;
    await appendFile(this.path, JSON.stringify(record) + '\n', { encoding: 'utf8', mode: 0o600 });
    this.lines++;
  }

  /** True when the file holds many more lines than there are live records. */
  needsCompaction(live: number): boolean {
    return this.lines > 2 * live + 100;
  }

  /** Replaces the file with one line per record (readers see the old file or the new one, never half). */
  async compact(records: Iterable<T>): Promise<void> {
    const list = [...records];
    await writeFileAtomic(this.path, list.map((r) => JSON.stringify(r) + '\n').join(''), 0o600);
    this.lines = list.length;
  }

  /** Keeps a copy of the file as it is, for whoever looks into why it was not usable. */
  async setAside(suffix: string): Promise<string> {
    const aside = `${this.path}.${suffix}`;
    await copyFile(this.path, aside);
    return aside;
  }
}

/** Replays journal text: the last line per id wins. Exported for tests. */
export function parseJournal<T extends { id: string }>(text: string, schema: z.ZodType<T>): JournalRead<T> {
  const lines = text.split('\n');
  // Text ending in "\n" leaves one empty segment; anything else there is a last line without its newline.
  const tail = lines.pop() as string;
  const byId = new Map<string, T>();
  const parse = (line: string): T | string => {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return 'not JSON';
    }
    const parsed = schema.safeParse(json);
    return parsed.success ? parsed.data : 'not a valid record';
  };
  for (const [i, line] of lines.entries()) {
    const record = parse(line);
    if (typeof record === 'string') return { state: 'corrupt', line: i + 1, reason: record };
    byId.set(record.id, record); // a later line replaces the record, keeping its place (creation order)
  }
  let tornTail = false;
  if (tail !== '') {
    const record = parse(tail);
    if (typeof record === 'string') tornTail = true;
    else byId.set(record.id, record);
  }
  return { state: 'ok', records: [...byId.values()], lines: lines.length, tornTail };
}
