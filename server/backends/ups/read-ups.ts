import { formatTcpAddress, type TcpAddress } from '../../config/tcp-address.js';
import { queryApcupsd, readApcupsdStatus } from './apcupsd-nis.js';
import { queryNut, readNutUps } from './nut-upsd.js';
import { DaemonConversationError, type ConversationLimits } from './tcp-conversation.js';
import type { UpsReading } from './ups-reading.js';

export interface DaemonReport {
  daemon: 'apcupsd' | 'nut';
  address: string;
  /** not_running: nothing listens there; failed: reached, but the answer broke off or made no sense. */
  outcome: 'answered' | 'not_running' | 'failed';
  note: string;
}

/** Both daemons are local: an answer takes milliseconds, so a few seconds means something is wrong. */
export const UPS_LIMITS: ConversationLimits = { connectMs: 1500, totalMs: 3000, maxBytes: 256 * 1024 };

async function ask<T>(
  daemon: DaemonReport['daemon'],
  addr: TcpAddress,
  query: () => Promise<T>,
): Promise<{ report: DaemonReport; value: T | null }> {
  const address = formatTcpAddress(addr);
  try {
    const value = await query();
    return { report: { daemon, address, outcome: 'answered', note: 'answered' }, value };
  } catch (err) {
    if (!(err instanceof DaemonConversationError)) throw err;
    return { report: { daemon, address, outcome: err.kind, note: err.message }, value: null };
  }
}

/**
 * Asks apcupsd (Unraid's built-in UPS daemon) and NUT's upsd (the NUT plugin) at once. A daemon that is
 * not there is an ordinary answer, reported per daemon; neither throws for the other.
 */
export async function readUpsDaemons(
  apcupsd: TcpAddress,
  nut: TcpAddress,
  signal?: AbortSignal,
  limits: ConversationLimits = UPS_LIMITS,
): Promise<{ ups: UpsReading[]; daemons: DaemonReport[] }> {
  const [apc, nutAnswer] = await Promise.all([
    ask('apcupsd', apcupsd, () => queryApcupsd(apcupsd.host, apcupsd.port, limits, signal)),
    ask('nut', nut, () => queryNut(nut.host, nut.port, limits, signal)),
  ]);
  const ups: UpsReading[] = [];
  if (apc.value) ups.push(readApcupsdStatus(apc.value));
  if (nutAnswer.value) {
    ups.push(...nutAnswer.value.map(readNutUps));
    if (nutAnswer.value.length === 0) nutAnswer.report.note = 'upsd answered, but has no UPS configured';
  }
  return { ups, daemons: [apc.report, nutAnswer.report] };
}
