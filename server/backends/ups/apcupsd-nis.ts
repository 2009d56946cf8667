import { TcpConversation, DaemonConversationError, type ConversationLimits } from './tcp-conversation.js';
import { leadingNumber, loadWatts, statusInWords, type UpsReading } from './ups-reading.js';

/** apcupsd's status answer is ~50 lines of < 80 bytes. */
const MAX_RECORD = 1024;

/**
 * Asks apcupsd's network information server (NIS, what `apcaccess` uses) for its status: the request is
 * the word `status` prefixed by its length as 2 bytes big-endian; the answer is one record per line,
 * each prefixed the same way, ended by a zero-length record.
 */
export async function queryApcupsd(
  host: string,
  port: number,
  limits: ConversationLimits,
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  const conv = await TcpConversation.open(host, port, 'apcupsd', limits, signal);
  try {
    const request = Buffer.from('status', 'ascii');
    const len = Buffer.alloc(2);
    len.writeUInt16BE(request.length);
    conv.send(Buffer.concat([len, request]));
    const fields = new Map<string, string>();
    for (let records = 0; ; records++) {
      const size = (await conv.readBytes(2, `after ${records} status lines`)).readUInt16BE(0);
      if (size === 0) break;
      if (size > MAX_RECORD)
        throw new DaemonConversationError(
          'failed',
          `apcupsd answered with a ${size}-byte record; that is not an apcupsd status line.`,
        );
      const line = (await conv.readBytes(size, `after ${records} status lines`)).toString('utf8');
      const colon = line.indexOf(':');
      if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
    if (fields.size === 0)
      throw new DaemonConversationError('failed', 'apcupsd answered with no status lines.');
    return fields;
  } finally {
    conv.close();
  }
}

/** apcupsd's fields (as `apcaccess` prints them) as a reading. */
export function readApcupsdStatus(f: ReadonlyMap<string, string>): UpsReading {
  const raw = f.get('STATUS') ?? '';
  const codes = raw === '' ? [] : raw.replace('SHUTTING DOWN', 'SHUTTING_DOWN').split(/\s+/).filter(Boolean);
  const has = (c: string) => codes.includes(c);
  const timeLeft = leadingNumber(f.get('TIMELEFT'));
  const loadPercent = leadingNumber(f.get('LOADPCT'));
  const nominal = leadingNumber(f.get('NOMPOWER'));
  const commLost = has('COMMLOST');
  return {
    daemon: 'apcupsd',
    name: f.get('UPSNAME') || null,
    model: f.get('MODEL') || f.get('APCMODEL') || null,
    statusCodes: codes,
    status: statusInWords(codes),
    onBattery: codes.length === 0 || commLost ? null : has('ONBATT'),
    lowBattery: codes.length === 0 || commLost ? null : has('LOWBATT'),
    replaceBattery: has('REPLACEBATT'),
    chargePercent: leadingNumber(f.get('BCHARGE')),
    runtimeSeconds: timeLeft === null ? null : Math.round(timeLeft * 60),
    loadPercent,
    loadWatts: loadWatts(loadPercent, nominal),
    nominalPowerWatts: nominal,
    inputVoltage: leadingNumber(f.get('LINEV')),
    outputVoltage: leadingNumber(f.get('OUTPUTV')),
    batteryVoltage: leadingNumber(f.get('BATTV')),
    lastTransferReason: f.get('LASTXFER') || null,
    problem: commLost ? 'apcupsd has lost communication with the UPS; the values are old or missing.' : null,
  };
}
