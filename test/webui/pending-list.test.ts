import { describe, expect, it } from 'vitest';
import { stillPending } from '../../webui/models/pending-list.js';
import type { Confirmation } from '../../webui/api/types.js';

const at = (min: number) => new Date(Date.UTC(2026, 11, 7, 6, min)).toISOString();
const entry = (id: string, over: Partial<Confirmation>): Confirmation => ({
  id,
  createdAt: at(0),
  expiresAt: at(60),
  principal: 'laptop',
  client: { name: 'claude-code', version: '2.0' },
  tool: 'docker_stop',
  target: { kind: 'container', id: 'abc', name: 'plex' },
  args: { id: 'plex' },
  description: 'Stop container "plex"',
  status: 'pending',
  decidedBy: null,
  decidedAt: null,
  reason: null,
  ...over,
});

describe('Approvals list', () => {
  it('keeps only what still waits, oldest first; decided and expired ones leave', () => {
    const list = [
      entry('late', { createdAt: at(5) }),
      entry('approved', { status: 'approved', decidedBy: 'cli' }),
      entry('expired-status', { status: 'expired' }),
      entry('past-expiry', { expiresAt: at(9) }),
      entry('early', { createdAt: at(1) }),
    ];
    expect(stillPending(list, Date.parse(at(10))).map((c) => c.id)).toEqual(['early', 'late']);
  });
});
