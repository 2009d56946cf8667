import { describe, expect, it } from 'vitest';
import { dockerTimestamp, parseTimeSpec } from '../../../server/backends/docker/time-spec.js';

const NOW = Date.parse('2025-06-01T12:00:00.000Z');

describe('since/until parsing', () => {
  it.each([
    ['30s', NOW - 30_000],
    ['10m', NOW - 600_000],
    ['2h', NOW - 7_200_000],
    ['1d', NOW - 86_400_000],
    ['1w', NOW - 604_800_000],
    ['2025-05-31T08:30:00Z', Date.parse('2025-05-31T08:30:00Z')],
    ['2025-05-31T08:30:00.123456789Z', Date.parse('2025-05-31T08:30:00.123Z')],
    ['2025-05-31T08:30:00+02:00', Date.parse('2025-05-31T06:30:00Z')],
    ['2025-05-31', Date.parse('2025-05-31T00:00:00Z')],
    ['99999w', 0],
  ])('%s', (text, ms) => {
    expect(parseTimeSpec(text, NOW)).toBe(ms);
  });

  it.each(['yesterday', '10 minutes', '-5m', '2025-13-45T00:00:00Z', '1700000000', '', '5y'])(
    'rejects %j',
    (text) => {
      expect(parseTimeSpec(text, NOW)).toBeNull();
    },
  );

  it('formats Docker query timestamps as seconds.nanoseconds', () => {
    expect(dockerTimestamp(Date.parse('2025-05-31T08:30:00.123Z'))).toBe('1748680200.123000000');
    expect(dockerTimestamp(0)).toBe('0.000000000');
  });
});
