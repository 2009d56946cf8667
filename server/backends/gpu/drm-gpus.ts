import { readdir, readFile, readlink, realpath } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { emptyReading, type GpuReading } from './gpu-reading.js';

const VENDORS: Record<string, GpuReading['vendor']> = {
  '0x10de': 'nvidia',
  '0x1002': 'amd',
  '0x8086': 'intel',
};

async function readText(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return null;
  }
}
async function readNumber(path: string): Promise<number | null> {
  const t = await readText(path);
  return t !== null && /^-?\d+$/.test(t) ? Number(t) : null;
}

/** The first hwmon folder of a device: temperature (m°C), power (µW), fan (RPM). */
async function hwmon(device: string) {
  let dirs: string[] = [];
  try {
    dirs = (await readdir(join(device, 'hwmon'))).filter((d) => d.startsWith('hwmon')).sort();
  } catch {
    return { temperatureC: null, powerWatts: null, fanRpm: null };
  }
  const dir = join(device, 'hwmon', dirs[0] ?? '');
  const temp = await readNumber(join(dir, 'temp1_input'));
  const power =
    (await readNumber(join(dir, 'power1_average'))) ?? (await readNumber(join(dir, 'power1_input')));
  return {
    temperatureC: temp === null ? null : temp / 1000,
    powerWatts: power === null ? null : Math.round(power / 10_000) / 100,
    fanRpm: await readNumber(join(dir, 'fan1_input')),
  };
}

/**
 * GPUs the kernel's DRM layer shows under <sysRoot>/class/drm/cardN: vendor, driver and PCI address for
 * every card, plus what each driver publishes — amdgpu: busy %, VRAM use, hwmon sensors; i915/xe: the
 * current graphics clock (Intel publishes no busy % in sysfs). Nothing readable → an empty list.
 */
export async function readDrmGpus(sysRoot: string): Promise<GpuReading[]> {
  const drm = join(sysRoot, 'class', 'drm');
  let cards: string[];
  try {
    cards = (await readdir(drm))
      .filter((n) => /^card\d+$/.test(n))
      .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
  } catch {
    return [];
  }
  const out: GpuReading[] = [];
  for (const card of cards) {
    const cardDir = join(drm, card);
    const device = join(cardDir, 'device');
    const vendorId = await readText(join(device, 'vendor'));
    if (vendorId === null) continue;
    const vendor = VENDORS[vendorId.toLowerCase()] ?? 'other';
    const driverLink = await readlink(join(device, 'driver')).catch(() => null);
    const driver = driverLink ? basename(driverLink) : null;
    const resolved = await realpath(device).catch(() => null);
    const bus = resolved ? basename(resolved) : null;
    const r: GpuReading = {
      ...emptyReading(vendor, 'sysfs'),
      index: Number(card.slice(4)),
      name: card,
      pciBusId: bus && /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i.test(bus) ? bus.toLowerCase() : null,
      driver,
      ...(await hwmon(device)),
    };
    if (driver === 'amdgpu') {
      r.utilizationPercent = await readNumber(join(device, 'gpu_busy_percent'));
      r.memoryUtilizationPercent = await readNumber(join(device, 'mem_busy_percent'));
      r.memoryUsedBytes = await readNumber(join(device, 'mem_info_vram_used'));
      r.memoryTotalBytes = await readNumber(join(device, 'mem_info_vram_total'));
      const dpm = await readText(join(device, 'power_dpm_force_performance_level'));
      r.performanceState = dpm;
    } else if (driver === 'i915' || driver === 'xe') {
      r.clockMhz =
        (await readNumber(join(cardDir, 'gt_act_freq_mhz'))) ??
        (await readNumber(join(cardDir, 'gt_cur_freq_mhz')));
    }
    out.push(r);
  }
  return out;
}
