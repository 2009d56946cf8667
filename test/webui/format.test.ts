import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatBytes,
  formatCountdown,
  formatDuration,
  formatJson,
  localToIso,
} from '../../webui/format.js';
import {
  auditParams,
  EMPTY_FILTERS,
  outcomeText,
  partialText,
  targetText,
  toolText,
  verifyText,
} from '../../webui/models/audit-query.js';
import type { VerifyReport } from '../../webui/api/types.js';

describe('formatters', () => {
  it('durations: the two largest units', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(59)).toBe('59 s');
    expect(formatDuration(3 * 86_400 + 4 * 3_600 + 5)).toBe('3 d 4 h');
    expect(formatDuration(3_601)).toBe('1 h');
  });
  it('countdown and ago against a given clock', () => {
    const now = Date.parse('2026-12-07T06:00:00Z');
    expect(formatCountdown('2026-12-07T06:04:10Z', now)).toBe('4 min 10 s');
    expect(formatCountdown('2026-12-07T05:59:59Z', now)).toBe('expired');
    expect(formatAgo('2026-12-07T05:55:00Z', now)).toBe('5 min ago');
    expect(formatAgo(null, now)).toBe('never');
  });
  it('bytes in powers of 1024', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3.4 * 1024)).toBe('3.4 KB');
    expect(formatBytes(256 * 1024 * 1024)).toBe('256 MB');
  });
  it('JSON as text; a datetime-local value as an ISO instant', () => {
    expect(formatJson({ name: '<img src=x onerror=alert(1)>' })).toBe(
      '{\n  "name": "<img src=x onerror=alert(1)>"\n}',
    );
    expect(localToIso('')).toBe('');
    expect(localToIso('2026-12-07T06:00')).toBe(new Date('2026-12-07T06:00').toISOString());
  });
});

describe('audit view helpers', () => {
  it('filters become the admin API’s query parameters', () => {
    expect(auditParams({ ...EMPTY_FILTERS, tool: ' docker_stop ', outcome: 'denied' })).toMatchObject({
      tool: 'docker_stop',
      outcome: 'denied',
      q: '',
      from: '',
    });
  });
  const report = (over: Partial<VerifyReport>): VerifyReport => ({
    ok: true,
    records: 12,
    files: 1,
    firstSeq: 1,
    lastSeq: 12,
    incidents: [],
    problem: null,
    ...over,
  });
  it('verify: intact, or where the chain changed', () => {
    expect(verifyText(report({}))).toBe('Intact: 12 records in 1 file, every hash matches.');
    expect(
      verifyText(
        report({
          ok: false,
          problem: {
            file: 'audit.jsonl',
            line: 7,
            seq: 7,
            kind: 'hash-mismatch',
            message: 'hash does not match',
          },
        }),
      ),
    ).toBe('Changed at record 7 (audit.jsonl, line 7): hash does not match');
  });
  it('a partial page says how far the search went', () => {
    expect(partialText({ records: [], nextCursor: null, complete: true })).toBeNull();
    expect(partialText({ records: [], nextCursor: null })).toBeNull();
    const p = partialText({
      records: [],
      nextCursor: 'c',
      complete: false,
      scanned: { bytes: 256 * 1024 * 1024, until: null },
    });
    expect(p).toBe('Searched 256 MB of the log. Older records may match too: Older searches further.');
  });
  it('tool column: the tool, or the event and its tool', () => {
    const base = { id: '1', seq: 1, time: '', principal: 'webgui' };
    expect(toolText({ ...base, stage: 'event', event: 'confirmation.denied', tool: 'docker_stop' })).toBe(
      'confirmation.denied (docker_stop)',
    );
    expect(toolText({ ...base, stage: 'event', event: 'settings.changed' })).toBe('settings.changed');
    expect(toolText({ ...base, stage: 'outcome', tool: 'docker_stop' })).toBe('docker_stop');
  });
  it('outcome and target words', () => {
    const base = { id: '1', seq: 1, time: '', principal: 'laptop' };
    expect(
      outcomeText({
        ...base,
        stage: 'outcome',
        decision: { allowed: false, rule: 'deny:plex*' },
      }),
    ).toBe('denied');
    expect(
      outcomeText({
        ...base,
        stage: 'outcome',
        decision: { allowed: true, rule: null },
        result: { status: 'error', code: 'timeout', message: null },
      }),
    ).toBe('error (timeout)');
    expect(outcomeText({ ...base, stage: 'event', event: 'confirmation.denied' })).toBe('');
    expect(targetText({ ...base, stage: 'intent', target: { kind: 'container', ref: 'plex' } })).toBe(
      'container:plex',
    );
  });
});
