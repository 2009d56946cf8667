import type { ServiceEnv } from './config/env.js';
import { adminRequest } from './admin/admin-client.js';

interface ConfirmationView {
  id: string;
  createdAt: string;
  expiresAt: string;
  principal: string;
  tool: string;
  target: { kind: string; name: string } | null;
  description: string;
  status: string;
}

/**
 * `unraid-mcp confirm list | approve ID | deny ID`: the WebGUI's approvals for headless servers. Goes
 * through the running sidecar's admin API, so a waiting MCP call learns of the decision at once and
 * the decision is audited with principal "cli".
 */
export async function confirmCommand(
  sub: string | undefined,
  args: string[],
  env: ServiceEnv,
  out: (l: string) => void,
): Promise<number> {
  const target = { socket: env.adminSocket, port: env.adminPort };
  if (sub === 'list') {
    const { data } = await adminRequest<{ confirmations: ConfirmationView[] }>(
      target,
      'GET',
      '/api/confirmations',
    );
    const pending = data.confirmations.filter((c) => c.status === 'pending' || args.includes('--all'));
    if (!pending.length) out('No pending confirmations.');
    for (const c of pending) {
      out(
        `${c.id}  ${c.status}  ${c.tool}  ${c.target ? `${c.target.kind} "${c.target.name}"` : ''}  by ${c.principal}  expires ${c.expiresAt}`,
      );
      out(`    ${c.description}`);
    }
    return 0;
  }
  if ((sub === 'approve' || sub === 'deny') && args[0] && !args[0].startsWith('-')) {
    const reasonAt = args.indexOf('--reason');
    const reason = reasonAt > 0 ? args[reasonAt + 1] : undefined;
    const { data } = await adminRequest<{ confirmation: ConfirmationView }>(
      target,
      'POST',
      `/api/confirmations/${encodeURIComponent(args[0])}/${sub}`,
      reason ? { reason } : {},
    );
    out(`${data.confirmation.id} ${data.confirmation.status}: ${data.confirmation.description}`);
    return 0;
  }
  throw new Error(
    'usage: unraid-mcp confirm list [--all] | approve ID [--reason TEXT] | deny ID [--reason TEXT]',
  );
}
