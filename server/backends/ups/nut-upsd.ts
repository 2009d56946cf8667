import { TcpConversation, DaemonConversationError, type ConversationLimits } from './tcp-conversation.js';
import { leadingNumber, loadWatts, statusInWords, type UpsReading } from './ups-reading.js';

/** UPSes asked about in one call; more than a handful on one server is not a real setup. */
const MAX_UPS = 8;
/** A UPS has ~50–150 variables. */
const MAX_VARS = 1000;

export interface NutUps {
  name: string;
  description: string | null;
  /** The variables, or null with the reason when upsd has none to give (driver not connected, stale). */
  vars: Map<string, string> | null;
  problem: string | null;
}

const NUT_ERRORS: Record<string, string> = {
  'DRIVER-NOT-CONNECTED':
    "upsd is running but this UPS's driver is not (check the UPS connection and the driver)",
  'DATA-STALE': 'the driver has stopped sending fresh data (the UPS may be disconnected)',
  'ACCESS-DENIED': "upsd refuses this client (its access rules do not allow this server's address)",
  'UNKNOWN-UPS': 'upsd does not know this UPS',
};

const describeErr = (line: string) => {
  const code = line.slice(4).split(' ')[0] ?? '';
  return NUT_ERRORS[code] ?? `upsd answered ${line.slice(0, 120)}`;
};

/** The words of a NUT answer line: bare words and "quoted strings" with \" and \\ escapes. */
export function splitNutLine(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    if (line[i] === ' ') {
      i++;
      continue;
    }
    let word = '';
    if (line[i] === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length) i++;
        word += line[i++];
      }
      i++;
    } else while (i < line.length && line[i] !== ' ') word += line[i++];
    words.push(word);
  }
  return words;
}

/** Reads one `BEGIN LIST …` … `END LIST …` block; an `ERR` answer comes back as { err }. */
async function readList(
  conv: TcpConversation,
  what: string,
  max: number,
): Promise<{ lines: string[][] } | { err: string }> {
  const first = await conv.readLine(`waiting for the answer to LIST ${what}`);
  if (first.startsWith('ERR ')) return { err: first };
  if (first !== `BEGIN LIST ${what}`)
    throw new DaemonConversationError(
      'failed',
      `upsd answered "${first.slice(0, 80)}" to LIST ${what}; that is not the NUT protocol.`,
    );
  const lines: string[][] = [];
  for (;;) {
    const line = await conv.readLine(`in the answer to LIST ${what}, after ${lines.length} lines`);
    if (line === `END LIST ${what}`) return { lines };
    if (lines.length >= max)
      throw new DaemonConversationError(
        'failed',
        `upsd's answer to LIST ${what} has more than ${max} lines.`,
      );
    lines.push(splitNutLine(line));
  }
}

/** `LIST UPS`, then `LIST VAR <ups>` for each, then `LOGOUT`, over one connection to upsd. */
export async function queryNut(
  host: string,
  port: number,
  limits: ConversationLimits,
  signal?: AbortSignal,
): Promise<NutUps[]> {
  const conv = await TcpConversation.open(host, port, 'upsd (NUT)', limits, signal);
  try {
    conv.send('LIST UPS\n');
    const list = await readList(conv, 'UPS', MAX_UPS * 4);
    if ('err' in list) throw new DaemonConversationError('failed', `${describeErr(list.err)}.`);
    const found = list.lines.filter((w) => w[0] === 'UPS' && w[1]).slice(0, MAX_UPS);
    const result: NutUps[] = [];
    for (const [, name, description] of found) {
      conv.send(`LIST VAR ${name}\n`);
      const vars = await readList(conv, `VAR ${name}`, MAX_VARS);
      if ('err' in vars) {
        result.push({
          name: name!,
          description: description || null,
          vars: null,
          problem: describeErr(vars.err),
        });
        continue;
      }
      const map = new Map<string, string>();
      for (const w of vars.lines) if (w[0] === 'VAR' && w[1] === name && w[2]) map.set(w[2], w[3] ?? '');
      result.push({ name: name!, description: description || null, vars: map, problem: null });
    }
    conv.send('LOGOUT\n');
    return result;
  } finally {
    conv.close();
  }
}

/** One NUT UPS as a reading (variable names from NUT's documented set). */
export function readNutUps(ups: NutUps): UpsReading {
  const v = ups.vars ?? new Map<string, string>();
  const codes = (v.get('ups.status') ?? '').split(/\s+/).filter(Boolean);
  const known = codes.length > 0 && !codes.includes('WAIT');
  const has = (c: string) => codes.includes(c);
  const loadPercent = leadingNumber(v.get('ups.load'));
  const nominal = leadingNumber(v.get('ups.realpower.nominal'));
  const realpower = leadingNumber(v.get('ups.realpower'));
  const runtime = leadingNumber(v.get('battery.runtime'));
  const mfr = v.get('device.mfr') ?? v.get('ups.mfr');
  const model = v.get('device.model') ?? v.get('ups.model');
  return {
    daemon: 'nut',
    name: ups.name,
    model: model ? (mfr && !model.startsWith(mfr) ? `${mfr} ${model}` : model) : (ups.description ?? null),
    statusCodes: codes,
    status: ups.problem ? `No data: ${ups.problem}` : statusInWords(codes),
    onBattery: known ? has('OB') : null,
    lowBattery: known ? has('LB') : null,
    replaceBattery: has('RB'),
    chargePercent: leadingNumber(v.get('battery.charge')),
    runtimeSeconds: runtime === null ? null : Math.round(runtime),
    loadPercent,
    loadWatts: realpower ?? loadWatts(loadPercent, nominal),
    nominalPowerWatts: nominal,
    inputVoltage: leadingNumber(v.get('input.voltage')),
    outputVoltage: leadingNumber(v.get('output.voltage')),
    batteryVoltage: leadingNumber(v.get('battery.voltage')),
    lastTransferReason: v.get('input.transfer.reason') || null,
    problem: ups.problem,
  };
}
