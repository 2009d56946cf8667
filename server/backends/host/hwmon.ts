import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readTextOrNull } from './procfs.js';
import { chipLabel, GENERIC_CHIPS } from './hwmon-labels.js';

export interface TemperatureReading {
  hwmon: string;
  chip: string;
  chipLabel: string;
  sensor: string;
  celsius: number;
  maxCelsius: number | null;
  critCelsius: number | null;
}

export interface FanReading {
  hwmon: string;
  chip: string;
  chipLabel: string;
  sensor: string;
  rpm: number;
}

export interface HwmonReadings {
  temperatures: TemperatureReading[];
  fans: FanReading[];
}

/**
 * Readings outside this range come from unconnected inputs (Super I/O chips report e.g. -62 °C or
 * 127 °C on pins with nothing attached), so they are dropped rather than shown as real temperatures.
 */
const PLAUSIBLE_C = { min: -40, max: 125 };
/** Limits above this are "no limit" sentinels (NVMe sub-sensors report a max of 65261.85 °C). */
const MAX_THRESHOLD_C = 150;

const threshold = (milli: number | null) =>
  milli !== null && milli > 0 && milli / 1000 <= MAX_THRESHOLD_C ? milli / 1000 : null;

async function readInt(path: string, signal?: AbortSignal): Promise<number | null> {
  const t = (await readTextOrNull(path, signal))?.trim();
  return t && /^-?\d+$/.test(t) ? Number(t) : null;
}

async function readTrimmed(path: string, signal?: AbortSignal): Promise<string | null> {
  const t = (await readTextOrNull(path, signal))?.trim();
  return t ? t : null;
}

const byIndex = (re: RegExp, files: string[]) =>
  files
    .map((f) => re.exec(f)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);

/**
 * Temperatures and fans from `<sys>/class/hwmon/hwmon*`. Entries there are symlinks on a real system, so
 * they are matched by name, not by dirent type. Fans reading 0 rpm are skipped (Super I/O chips expose
 * every header, most with nothing plugged in) unless the chip flags them (`fanN_alarm` = 1) or a
 * minimum is configured (`fanN_min` > 0) — then 0 rpm means a stalled fan and is reported.
 */
export async function readHwmon(sysRoot: string, signal?: AbortSignal): Promise<HwmonReadings> {
  const base = join(sysRoot, 'class/hwmon');
  let entries: string[];
  try {
    entries = await readdir(base);
  } catch {
    return { temperatures: [], fans: [] };
  }
  const dirs = entries
    .filter((e) => /^hwmon\d+$/.test(e))
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  const results = await Promise.all(dirs.map((d) => readChip(join(base, d), d, signal)));
  return { temperatures: results.flatMap((r) => r.temperatures), fans: results.flatMap((r) => r.fans) };
}

async function readChip(dir: string, hwmon: string, signal?: AbortSignal): Promise<HwmonReadings> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch {
    return { temperatures: [], fans: [] };
  }
  const chip = (await readTrimmed(join(dir, 'name'), signal)) ?? hwmon;
  const model = GENERIC_CHIPS.has(chip)
    ? ((await readTrimmed(join(dir, 'device/model'), signal)) ??
      (await readTrimmed(join(dir, 'device/name'), signal)))
    : null;
  const label = chipLabel(chip, model);
  const at = (f: string) => join(dir, f);

  const temperatures: TemperatureReading[] = [];
  for (const n of byIndex(/^temp(\d+)_input$/, files)) {
    const milli = await readInt(at(`temp${n}_input`), signal);
    if (milli === null || milli / 1000 < PLAUSIBLE_C.min || milli / 1000 > PLAUSIBLE_C.max) continue;
    const max = await readInt(at(`temp${n}_max`), signal);
    const crit = await readInt(at(`temp${n}_crit`), signal);
    temperatures.push({
      hwmon,
      chip,
      chipLabel: label,
      sensor: (await readTrimmed(at(`temp${n}_label`), signal)) ?? `temp${n}`,
      celsius: milli / 1000,
      maxCelsius: threshold(max),
      critCelsius: threshold(crit),
    });
  }

  const fans: FanReading[] = [];
  for (const n of byIndex(/^fan(\d+)_input$/, files)) {
    const rpm = await readInt(at(`fan${n}_input`), signal);
    if (rpm === null || rpm < 0) continue;
    if (rpm === 0) {
      const alarm = await readInt(at(`fan${n}_alarm`), signal);
      const min = await readInt(at(`fan${n}_min`), signal);
      if (alarm !== 1 && !(min !== null && min > 0)) continue;
    }
    fans.push({
      hwmon,
      chip,
      chipLabel: label,
      sensor: (await readTrimmed(at(`fan${n}_label`), signal)) ?? `fan${n}`,
      rpm,
    });
  }
  return { temperatures, fans };
}
