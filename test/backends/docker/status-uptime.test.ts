import { describe, expect, it } from 'vitest';
import { uptimeFromStatus } from '../../../server/backends/docker/status-uptime.js';

describe('uptimeFromStatus', () => {
  it.each([
    ['Up Less than a second', 0],
    ['Up 5 seconds', 5],
    ['Up About a minute', 60],
    ['Up 59 minutes', 3540],
    ['Up About an hour', 3600],
    ['Up 3 hours (healthy)', 10_800],
    ['Up 2 days (Paused)', 172_800],
    ['Up 3 weeks', 1_814_400],
    ['Up 4 months', 10_368_000],
    ['Up 2 years', 63_072_000],
  ])('%s → %d s', (text, seconds) => {
    expect(uptimeFromStatus(text)).toBe(seconds);
  });

  it.each(['Exited (0) 3 hours ago', 'Created', 'Restarting (1) 5 seconds ago', 'Up forever', ''])(
    '%s → null',
    (text) => {
      expect(uptimeFromStatus(text)).toBeNull();
    },
  );
});
