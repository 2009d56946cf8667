/**
 * What matters in one `smartctl --json -a` document, for ATA (SATA/SAT), NVMe and SCSI drives. The three
 * protocols report in different shapes: ATA as an attribute table (normalized value, threshold, raw),
 * NVMe as one health log of counters, SCSI as a defect list and error counters. Each is read into the
 * same list of checks, each with a status and a sentence saying why.
 */

export type CheckStatus = 'ok' | 'warning' | 'failing';

export interface SmartCheck {
  /** Stable name: reallocated_sectors, pending_sectors, offline_uncorrectable, udma_crc_errors, … */
  name: string;
  label: string;
  value: number | null;
  unit: string | null;
  status: CheckStatus;
  note: string;
}

export interface SmartReport {
  protocol: 'ATA' | 'NVMe' | 'SCSI' | null;
  model: string | null;
  serial: string | null;
  firmware: string | null;
  capacityBytes: number | null;
  /** smartctl's overall health self-assessment. */
  verdict: 'passed' | 'failed' | 'unknown';
  /** The verdict and the checks together: failing beats warning beats ok. */
  health: CheckStatus;
  temperatureC: number | null;
  powerOnHours: number | null;
  /** SSD/NVMe endurance used, 0–100+ (NVMe may exceed 100); null for disks that do not report it. */
  wearPercentUsed: number | null;
  checks: SmartCheck[];
  /** ATA attributes whose normalized value is at or below the threshold now or was in the past. */
  failingAttributes: Array<{ id: number; name: string; when: 'now' | 'past' }>;
  /** What smartctl's exit status bits say (bit 1, the standby exit, never reaches a report). */
  exitStatusNotes: string[];
  /** smartctl's own messages (warnings, errors). */
  smartctlMessages: string[];
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : null;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
const at = (root: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((o, k) => (obj(o) ? obj(o)![k] : undefined), root);

const EXIT_BITS: Array<[number, string]> = [
  [0, 'smartctl did not understand its command line.'],
  [2, 'A SMART or other command to the drive failed, or a SMART data structure had a checksum error.'],
  [3, 'SMART status: DISK FAILING.'],
  [4, 'Prefail attributes are at or below their threshold now.'],
  [5, 'The drive passes, but some attributes were at or below their threshold in the past.'],
  [6, "The drive's error log contains errors."],
  [7, "The drive's self-test log contains errors."],
];

/** "Device is in STANDBY mode, exit(2)" → "STANDBY" when the exit status has bit 1 (-n standby's exit). */
export function standbyMode(json: Obj, exitStatus: number): string | null {
  if ((exitStatus & 0b10) === 0) return null;
  for (const m of messages(json)) {
    const found = /Device is in (.+?) mode/i.exec(m);
    if (found) return found[1]!;
  }
  return null;
}

export function messages(json: Obj): string[] {
  const list = at(json, 'smartctl', 'messages');
  return Array.isArray(list)
    ? list.map((m) => str(obj(m)?.string)).filter((s): s is string => s !== null)
    : [];
}

/** The leading count of a raw value: vendors pack extra numbers into raw.value ("2111 (12437 0)"). */
function rawCount(attr: Obj): number | null {
  const s = str(at(attr, 'raw', 'string'));
  const m = s ? /^(\d+)/.exec(s) : null;
  return m ? Number(m[1]) : num(at(attr, 'raw', 'value'));
}

interface AtaCounter {
  ids: number[];
  name: string;
  label: string;
  why: string;
}

const ATA_COUNTERS: AtaCounter[] = [
  {
    ids: [5],
    name: 'reallocated_sectors',
    label: 'Reallocated sectors',
    why: 'sectors the drive has replaced with spares; a growing count means the surface is failing',
  },
  {
    ids: [197],
    name: 'pending_sectors',
    label: 'Current pending sectors',
    why: 'unreadable sectors waiting to be rewritten or reallocated; data on them may be lost',
  },
  {
    ids: [198],
    name: 'offline_uncorrectable',
    label: 'Offline uncorrectable sectors',
    why: 'sectors the offline scan could not read',
  },
  {
    ids: [187],
    name: 'reported_uncorrectable',
    label: 'Reported uncorrectable errors',
    why: 'reads the drive could not correct',
  },
  {
    ids: [199],
    name: 'udma_crc_errors',
    label: 'UDMA CRC errors',
    why: 'transfer errors between drive and controller — usually a cable or backplane, not the disk; only an increase matters',
  },
];

/** Normalized values that count down from 100 as an SSD wears (value = life left). */
const ATA_WEAR_IDS = [177, 231, 233, 202];

function check(
  name: string,
  label: string,
  value: number | null,
  unit: string | null,
  status: CheckStatus,
  note: string,
): SmartCheck {
  return { name, label, value, unit, status, note };
}

function counterCheck(
  name: string,
  label: string,
  value: number | null,
  why: string,
  failing = false,
): SmartCheck {
  if (value === null) return check(name, label, null, null, 'ok', `Not reported (${why}).`);
  const status: CheckStatus = failing ? 'failing' : value > 0 ? 'warning' : 'ok';
  return check(name, label, value, null, status, value > 0 ? `${value}: ${why}.` : `None (${why}).`);
}

function wearCheck(percent: number | null, source: string): SmartCheck | null {
  if (percent === null) return null;
  const status: CheckStatus = percent >= 100 ? 'failing' : percent >= 90 ? 'warning' : 'ok';
  const rest =
    percent >= 100
      ? 'the rated endurance is used up; plan a replacement'
      : percent >= 90
        ? 'close to the rated endurance'
        : 'of the rated endurance';
  return check('wear', 'Endurance used', percent, '%', status, `${percent}% used (${source}): ${rest}.`);
}

function temperatureCheck(temp: number | null, limit: number | null, solidState: boolean): SmartCheck {
  if (temp === null) return check('temperature', 'Temperature', null, '°C', 'ok', 'Not reported.');
  const max = limit ?? (solidState ? 70 : 55);
  const basis =
    limit !== null
      ? `the drive's own limit of ${limit} °C`
      : `${max} °C (no limit reported; a common ${solidState ? 'SSD' : 'hard disk'} maximum)`;
  return temp >= max
    ? check(
        'temperature',
        'Temperature',
        temp,
        '°C',
        'warning',
        `${temp} °C is at or above ${basis}: check cooling.`,
      )
    : check('temperature', 'Temperature', temp, '°C', 'ok', `${temp} °C, below ${basis}.`);
}

function powerOnCheck(hours: number | null): SmartCheck {
  if (hours === null) return check('power_on_hours', 'Power-on time', null, 'h', 'ok', 'Not reported.');
  const years = hours / 8766;
  return check(
    'power_on_hours',
    'Power-on time',
    hours,
    'h',
    'ok',
    `${hours} h (about ${years.toFixed(1)} years).`,
  );
}

function ataChecks(json: Obj, solidState: boolean) {
  const table = at(json, 'ata_smart_attributes', 'table');
  const attrs = Array.isArray(table) ? table.map(obj).filter((a): a is Obj => a !== null) : [];
  const byId = new Map(attrs.map((a) => [num(a.id), a]));
  const failingAttributes: SmartReport['failingAttributes'] = [];
  for (const a of attrs) {
    const when = str(a.when_failed);
    if (when === 'now' || when === 'past')
      failingAttributes.push({
        id: num(a.id) ?? 0,
        name: str(a.name) ?? '?',
        when: when === 'now' ? 'now' : 'past',
      });
  }
  const checks: SmartCheck[] = [];
  for (const c of ATA_COUNTERS) {
    const attr = c.ids.map((id) => byId.get(id)).find((a) => a !== undefined);
    if (!attr && c.name === 'reported_uncorrectable') continue; // many drives lack 187; not worth a line
    const failingNow = attr ? str(attr.when_failed) === 'now' : false;
    checks.push(counterCheck(c.name, c.label, attr ? rawCount(attr) : null, c.why, failingNow));
  }
  const errorCount =
    num(at(json, 'ata_smart_error_log', 'extended', 'count')) ??
    num(at(json, 'ata_smart_error_log', 'summary', 'count'));
  if (errorCount !== null)
    checks.push(
      check(
        'error_log_entries',
        'Error log entries',
        errorCount,
        null,
        errorCount > 0 ? 'warning' : 'ok',
        errorCount > 0
          ? `${errorCount} error(s) logged over the drive's life; look at when they happened (smartctl -x) before worrying.`
          : 'The error log is empty.',
      ),
    );
  // Device statistics (ACS-3) give the endurance used directly; otherwise a vendor's life-left attribute.
  let wear: number | null = null;
  let source = '';
  const pages = at(json, 'ata_device_statistics', 'pages');
  for (const p of Array.isArray(pages) ? pages : []) {
    const rows = obj(p)?.table;
    for (const r of Array.isArray(rows) ? rows : []) {
      if (str(obj(r)?.name) === 'Percentage Used Endurance Indicator' && num(obj(r)?.value) !== null) {
        wear = num(obj(r)?.value);
        source = 'device statistics';
      }
    }
  }
  if (wear === null && solidState) {
    const attr = ATA_WEAR_IDS.map((id) => byId.get(id)).find((a) => a !== undefined);
    const left = attr ? num(attr.value) : null;
    if (attr && left !== null && left <= 100) {
      wear = 100 - left;
      source = `attribute ${num(attr.id)} ${str(attr.name) ?? ''}`.trim();
    }
  }
  const wearC = wearCheck(wear, source);
  if (wearC) checks.push(wearC);
  return { checks, failingAttributes, wear };
}

const NVME_CRITICAL_BITS: Array<[number, string]> = [
  [0, 'available spare below threshold'],
  [1, 'temperature outside the allowed range'],
  [2, 'reliability degraded by media or internal errors'],
  [3, 'media placed in read-only mode'],
  [4, 'volatile memory backup failed'],
  [5, 'persistent memory region read-only'],
];

function nvmeChecks(json: Obj) {
  const log = obj(json.nvme_smart_health_information_log) ?? {};
  const checks: SmartCheck[] = [];
  const critical = num(log.critical_warning);
  if (critical !== null) {
    const set = NVME_CRITICAL_BITS.filter(([bit]) => (critical & (1 << bit)) !== 0).map(([, what]) => what);
    checks.push(
      check(
        'critical_warning',
        'Critical warning',
        critical,
        null,
        critical === 0 ? 'ok' : 'failing',
        critical === 0
          ? 'None.'
          : `The controller reports: ${set.join('; ') || `flags 0x${critical.toString(16)}`}.`,
      ),
    );
  }
  const spare = num(log.available_spare);
  const spareMin = num(log.available_spare_threshold);
  if (spare !== null)
    checks.push(
      check(
        'available_spare',
        'Available spare',
        spare,
        '%',
        spareMin !== null && spare <= spareMin ? 'failing' : 'ok',
        spareMin !== null && spare <= spareMin
          ? `${spare}% left, at or below the drive's threshold of ${spareMin}%.`
          : `${spare}% left${spareMin !== null ? ` (threshold ${spareMin}%)` : ''}.`,
      ),
    );
  checks.push(
    counterCheck(
      'media_errors',
      'Media errors',
      num(log.media_errors),
      'unrecovered data integrity errors the controller detected',
    ),
  );
  const errLog = num(log.num_err_log_entries);
  if (errLog !== null)
    checks.push(
      check(
        'error_log_entries',
        'Error log entries',
        errLog,
        null,
        'ok',
        errLog > 0
          ? `${errLog} entries over the drive's life; many controllers log harmless ones (e.g. unsupported commands), so this alone is not a fault.`
          : 'The error log is empty.',
      ),
    );
  const wear = num(log.percentage_used);
  const wearC = wearCheck(wear, 'NVMe percentage_used');
  if (wearC) checks.push(wearC);
  return { checks, wear };
}

function scsiChecks(json: Obj) {
  const checks: SmartCheck[] = [];
  checks.push(
    counterCheck(
      'grown_defects',
      'Grown defect list',
      num(json.scsi_grown_defect_list),
      'sectors remapped since the drive left the factory',
    ),
  );
  const read = num(at(json, 'scsi_error_counter_log', 'read', 'total_uncorrected_errors'));
  const write = num(at(json, 'scsi_error_counter_log', 'write', 'total_uncorrected_errors'));
  const total = read === null && write === null ? null : (read ?? 0) + (write ?? 0);
  checks.push(
    counterCheck(
      'uncorrected_errors',
      'Uncorrected read/write errors',
      total,
      'errors the drive could not correct',
    ),
  );
  return { checks };
}

/**
 * Reads one smartctl document. `rotational` is emhttp's word for the disk (null when unknown); NVMe
 * and a rotation rate of 0 also mean solid-state.
 */
export function readSmartReport(json: Obj, exitStatus: number, rotational: boolean | null): SmartReport {
  const protocolRaw = str(at(json, 'device', 'protocol'));
  const protocol =
    protocolRaw === 'ATA' || protocolRaw === 'NVMe' || protocolRaw === 'SCSI' ? protocolRaw : null;
  const solidState = protocol === 'NVMe' || num(json.rotation_rate) === 0 || rotational === false;
  const passed = at(json, 'smart_status', 'passed');
  const verdict = passed === true ? 'passed' : passed === false ? 'failed' : 'unknown';
  const temperatureC = num(at(json, 'temperature', 'current'));
  const powerOnHours =
    num(at(json, 'power_on_time', 'hours')) ??
    num(at(json, 'nvme_smart_health_information_log', 'power_on_hours'));
  const limit = num(at(json, 'temperature', 'op_limit_max')) ?? num(at(json, 'temperature', 'drive_trip'));

  let checks: SmartCheck[] = [];
  let failingAttributes: SmartReport['failingAttributes'] = [];
  let wear: number | null = null;
  if (protocol === 'NVMe') ({ checks, wear } = nvmeChecks(json));
  else if (protocol === 'SCSI') ({ checks } = scsiChecks(json));
  else ({ checks, failingAttributes, wear } = ataChecks(json, solidState));
  checks.push(temperatureCheck(temperatureC, limit, solidState), powerOnCheck(powerOnHours));

  const worst =
    checks.some((c) => c.status === 'failing') || failingAttributes.some((a) => a.when === 'now')
      ? 'failing'
      : checks.some((c) => c.status === 'warning') || failingAttributes.length > 0
        ? 'warning'
        : 'ok';
  const health: CheckStatus = verdict === 'failed' ? 'failing' : worst;

  return {
    protocol,
    model: str(json.model_name) ?? str(json.product),
    serial: str(json.serial_number),
    firmware: str(json.firmware_version) ?? str(json.revision),
    capacityBytes: num(at(json, 'user_capacity', 'bytes')) ?? num(json.nvme_total_capacity),
    verdict,
    health,
    temperatureC,
    powerOnHours,
    wearPercentUsed: wear,
    checks,
    failingAttributes,
    exitStatusNotes: EXIT_BITS.filter(([bit]) => (exitStatus & (1 << bit)) !== 0).map(([, text]) => text),
    smartctlMessages: messages(json),
  };
}
