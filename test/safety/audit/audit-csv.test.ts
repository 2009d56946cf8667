import { describe, expect, it } from 'vitest';
import { CSV_HEADER, csvCell, csvRow } from '../../../server/safety/audit/audit-csv.js';
import type { StoredRecord } from '../../../server/safety/audit/audit-record.js';

const chain = { seq: 7, prev: '0'.repeat(64), hash: 'a'.repeat(64) };

/** A minimal RFC 4180 parser, to read back what the writer produced. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('audit CSV', () => {
  it('quotes as RFC 4180 says: commas, quotes, CR and LF', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\r')).toBe('"cr\r"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(42.5)).toBe('42.5');
  });

  it('defuses cells a spreadsheet would run as a formula', () => {
    for (const bad of ['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\t=x', '\r=x'])
      expect(csvCell(bad).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('writes one row per record with the columns a person reads, which parse back', () => {
    const denied = {
      ...chain,
      id: 'call-1',
      time: '2026-03-01T10:00:00.000Z',
      stage: 'outcome',
      principal: 'cursor',
      client: { name: 'cursor', version: '1.2' },
      session: null,
      tool: 'docker_stop',
      target: { kind: 'container', ref: '=cmd|"/c calc"!A1' },
      args: { id: '=cmd|"/c calc"!A1', note: 'a, "b"\nc' },
      decision: { allowed: false, rule: 'deny:container:*' },
      result: { status: 'error', code: 'policy_denied', message: 'protected, sorry' },
      durationMs: 3,
      intent: 'call-0',
    } as StoredRecord;
    const event = {
      ...chain,
      seq: 8,
      id: 'ev-1',
      time: '2026-03-01T10:00:01.000Z',
      stage: 'event',
      principal: 'webgui',
      event: 'confirmation.denied',
      details: { reason: '-not today' },
    } as StoredRecord;
    const rows = parseCsv(CSV_HEADER + csvRow(denied) + csvRow(event));
    expect(rows[0]).toEqual([
      'time',
      'seq',
      'stage',
      'tool',
      'target',
      'principal',
      'client',
      'outcome',
      'event',
      'reason',
      'durationMs',
      'args',
      'id',
      'hash',
    ]);
    expect(rows[1]).toEqual([
      '2026-03-01T10:00:00.000Z',
      '7',
      'outcome',
      'docker_stop',
      'container:=cmd|"/c calc"!A1',
      'cursor',
      'cursor 1.2',
      'denied',
      '',
      'deny:container:*: policy_denied: protected, sorry',
      '3',
      JSON.stringify((denied as { args: unknown }).args),
      'call-1',
      'a'.repeat(64),
    ]);
    expect(rows[2]).toEqual([
      '2026-03-01T10:00:01.000Z',
      '8',
      'event',
      '',
      '',
      'webgui',
      '',
      '',
      'confirmation.denied',
      "'-not today",
      '',
      '{"reason":"-not today"}',
      'ev-1',
      'a'.repeat(64),
    ]);
    expect(rows).toHaveLength(3);
  });
});
