import type { ServiceEnv } from './config/env.js';
import { adminRequest, SERVICE_NOT_RUNNING } from './admin/admin-client.js';
import type { PlacementReport, PlacementStatus } from './safety/data-placement.js';

/** Exit code of `storage persistent` when appdata could not be used and everything stayed in RAM. */
export const STAYED_IN_RAM = 3;

/**
 * `unraid-mcp storage persistent|ram|status`: moves the audit log and pending approvals to appdata or
 * to RAM (the array's event hooks run it) and answers once the move is complete, or says where they
 * are. One plain line each; a service that is not running is not an error (it picks the place itself
 * when it starts).
 */
export async function storageCommand(
  sub: string | undefined,
  env: ServiceEnv,
  out: (l: string) => void,
): Promise<number | null> {
  const target = { socket: env.adminSocket, port: env.adminPort };
  if (sub === 'status') {
    const { data } = await adminRequest<PlacementStatus>(target, 'GET', '/api/storage');
    out(describe(data));
    return 0;
  }
  if (sub !== 'persistent' && sub !== 'ram') return null;
  let report: PlacementReport;
  try {
    ({ data: report } = await adminRequest<PlacementReport>(target, 'POST', '/api/storage', { to: sub }));
  } catch (err) {
    if (!(err as Error).message.startsWith(SERVICE_NOT_RUNNING)) throw err;
    out(
      `unraid-mcp is not running: nothing to move; it ${sub === 'ram' ? 'keeps the audit log in RAM' : 'uses appdata'} when it starts${sub === 'ram' ? ' with the array stopped' : ' with the array started'}.`,
    );
    return 0;
  }
  out(describe(report));
  return report.location === sub ? 0 : STAYED_IN_RAM;
}

function describe(s: PlacementStatus): string {
  const where =
    s.location === 'persistent'
      ? 'Audit log and pending approvals are on appdata (persistent)'
      : 'Audit log and pending approvals are in RAM (lost at reboot)';
  return s.problem ? `${where}: ${s.problem}.` : `${where}.`;
}
