import { describe, expect, it } from 'vitest';
import { parseExpiry } from '../../server/tokens/parse-expiry.js';

const now = new Date('2026-11-21T12:00:00Z');

describe('parseExpiry', () => {
  it.each([
    ['90m', '2026-11-21T13:30:00.000Z'],
    ['12h', '2026-11-22T00:00:00.000Z'],
    ['30d', '2026-12-21T12:00:00.000Z'],
    ['2w', '2026-12-05T12:00:00.000Z'],
    ['2027-01-31', '2027-01-31T00:00:00.000Z'],
  ])('%s → %s', (text, iso) => {
    expect(parseExpiry(text, now)?.toISOString()).toBe(iso);
  });

  it('"never" means no expiry', () => {
    expect(parseExpiry('never', now)).toBeNull();
  });

  it.each([
    ['0d', 'must be more than zero'],
    ['2020-01-01', 'already past'],
    ['2026-13-45', 'not a valid date'],
    ['forever', 'use a duration like 90m'],
    ['30 days', 'use a duration like 90m'],
  ])('rejects %s', (text, message) => {
    expect(() => parseExpiry(text, now)).toThrow(message);
  });
});
