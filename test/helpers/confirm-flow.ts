import { expect } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/server';
import type { TestServer } from './start-server.js';

type Call = (name: string, args: Record<string, unknown>) => Promise<CallToolResult>;
export interface PendingConfirmation {
  id: string;
  tool: string;
  status: string;
  description: string;
  principal: string;
  target: { name: string } | null;
}

/** Polls the admin API until a pending confirmation matching `match` shows up (about 20 s at most). */
export async function waitForPending(
  server: TestServer,
  match: (c: PendingConfirmation) => boolean,
  what = 'a matching request',
): Promise<PendingConfirmation> {
  for (let i = 0; i < 400; i++) {
    const { json } = await server.admin('GET', '/api/confirmations');
    const found = (json.confirmations as PendingConfirmation[]).find(
      (c) => c.status === 'pending' && match(c),
    );
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no pending confirmation for ${what}`);
}

/** A pending confirmation's target is the container or VM named `name`. */
export const onTarget = (name: string) => (c: PendingConfirmation) => c.target?.name === name;

/**
 * Drives the two confirmation modes as an agent and the owner would: `token` (the first call only
 * returns a token, the second sends it back) and `approve` (the owner approves — or denies — the
 * pending request through the admin API while the call waits).
 */
export function confirmFlow(server: () => TestServer, call: Call) {
  return {
    withToken: async (
      name: string,
      args: Record<string, unknown>,
    ): Promise<{ first: CallToolResult; res: CallToolResult }> => {
      const first = await call(name, args);
      expect(first.isError).toBe(true);
      const token = (first._meta?.['unraid-mcp/confirmation'] as { token: string }).token;
      expect(token).toMatch(/\S/);
      return { first, res: await call(name, { ...args, confirmation_token: token }) };
    },
    withApproval: async (
      name: string,
      args: Record<string, unknown>,
      match: (c: PendingConfirmation) => boolean = () => true,
      decision: 'approve' | 'deny' = 'approve',
    ): Promise<{ description: string; res: CallToolResult }> => {
      const pending = call(name, args);
      const found = await waitForPending(server(), (c) => c.tool === name && match(c), name);
      expect((await server().admin('POST', `/api/confirmations/${found.id}/${decision}`, {})).status).toBe(
        200,
      );
      return { description: found.description, res: await pending };
    },
  };
}
