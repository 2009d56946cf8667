/** One UPS as a daemon reports it, in the same shape for apcupsd and NUT. */
export interface UpsReading {
  daemon: 'apcupsd' | 'nut';
  /** apcupsd's UPSNAME, NUT's UPS name. */
  name: string | null;
  model: string | null;
  /** The daemon's own status words (apcupsd: ONLINE, ONBATT…; NUT: OL, OB, LB…). */
  statusCodes: string[];
  /** The status in plain words. */
  status: string;
  onBattery: boolean | null;
  lowBattery: boolean | null;
  replaceBattery: boolean;
  chargePercent: number | null;
  runtimeSeconds: number | null;
  loadPercent: number | null;
  /** Load in watts: reported, or load % × nominal power as Unraid's dashboard computes it. */
  loadWatts: number | null;
  nominalPowerWatts: number | null;
  inputVoltage: number | null;
  outputVoltage: number | null;
  batteryVoltage: number | null;
  lastTransferReason: string | null;
  /** Why the reading is incomplete (driver not connected, data stale), or null. */
  problem: string | null;
}

export const STATUS_WORDS: Record<string, string> = {
  // apcupsd
  ONLINE: 'on line power',
  ONBATT: 'on battery',
  LOWBATT: 'battery low',
  CHARGING: 'battery charging',
  REPLACEBATT: 'battery needs replacing',
  NOBATT: 'no battery present',
  OVERLOAD: 'overloaded',
  CAL: 'calibrating',
  TRIM: 'trimming high input voltage',
  BOOST: 'boosting low input voltage',
  COMMLOST: 'communication with the UPS lost',
  SHUTTING_DOWN: 'shutting down',
  SLAVE: 'following another apcupsd',
  SLAVEDOWN: 'the apcupsd it follows is not answering',
  // NUT
  OL: 'on line power',
  OB: 'on battery',
  LB: 'battery low',
  HB: 'battery high',
  RB: 'battery needs replacing',
  CHRG: 'battery charging',
  DISCHRG: 'battery discharging',
  BYPASS: 'on bypass (load not protected)',
  OFF: 'output off',
  OVER: 'overloaded',
  FSD: 'forced shutdown in progress',
  WAIT: 'driver waiting for data',
};

/** "on battery, battery low" from the status words; unknown words are kept as they are. */
export function statusInWords(codes: ReadonlyArray<string>): string {
  if (codes.length === 0) return 'unknown';
  const words = codes.map((c) => STATUS_WORDS[c] ?? c.toLowerCase());
  const text = [...new Set(words)].join(', ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The leading number of "230.0 Volts", "45.3 Minutes", "87"; null otherwise. */
export function leadingNumber(value: string | undefined): number | null {
  const m = value ? /^\s*(-?\d+(?:\.\d+)?)/.exec(value) : null;
  return m ? Number(m[1]) : null;
}

export function loadWatts(loadPercent: number | null, nominal: number | null): number | null {
  return loadPercent === null || nominal === null ? null : Math.round((loadPercent * nominal) / 100);
}
