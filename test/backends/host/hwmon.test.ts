import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readHwmon } from '../../../server/backends/host/hwmon.js';
import { chipLabel } from '../../../server/backends/host/hwmon-labels.js';
import { SYS, tempDir } from './testdata.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function writeChip(root: string, dir: string, files: Record<string, string>) {
  for (const [name, value] of Object.entries(files)) {
    await mkdir(join(root, dir, name, '..'), { recursive: true });
    await writeFile(join(root, dir, name), `${value}\n`);
  }
}

describe('hwmon on testdata/sys', () => {
  it('reads labelled temperatures with thresholds, in hwmon and sensor order', async () => {
    const { temperatures } = await readHwmon(SYS);
    const summary = temperatures.map((t) => `${t.chipLabel} / ${t.sensor} = ${t.celsius}`);
    expect(summary).toEqual([
      'ACPI thermal zone / temp1 = 27.8',
      'CPU (coretemp) / Package id 0 = 52',
      'CPU (coretemp) / Core 0 = 49',
      'CPU (coretemp) / Core 1 = 51',
      'CPU (coretemp) / Core 2 = 48',
      'CPU (coretemp) / Core 3 = 50',
      'NVMe (Samsung SSD 970 EVO Plus 1TB) / Composite = 41.85',
      'NVMe (Samsung SSD 970 EVO Plus 1TB) / Sensor 1 = 41.85',
      'NVMe (Samsung SSD 970 EVO Plus 1TB) / Sensor 2 = 47.85',
      'NVMe (WD_BLACK SN770 1TB) / Composite = 44.85',
      'Motherboard (nct6793) / SYSTIN = 34',
      'Motherboard (nct6793) / CPUTIN = 38.5',
      'Motherboard (nct6793) / PECI Agent 0 = 52',
    ]);
    expect(temperatures[1]).toEqual({
      hwmon: 'hwmon1',
      chip: 'coretemp',
      chipLabel: 'CPU (coretemp)',
      sensor: 'Package id 0',
      celsius: 52,
      maxCelsius: 80,
      critCelsius: 100,
    });
    // NVMe sub-sensors report a 65261.85 °C "max": a sentinel, not a limit.
    expect(temperatures[7]).toMatchObject({ sensor: 'Sensor 1', maxCelsius: null, critCelsius: null });
    expect(temperatures[6]).toMatchObject({ sensor: 'Composite', maxCelsius: 81.85, critCelsius: 84.85 });
  });

  it('drops unconnected inputs (-62 °C, 127 °C) and idle fan headers', async () => {
    const { temperatures, fans } = await readHwmon(SYS);
    expect(temperatures.some((t) => t.sensor.startsWith('AUXTIN'))).toBe(false);
    expect(fans).toEqual([
      { hwmon: 'hwmon4', chip: 'nct6793', chipLabel: 'Motherboard (nct6793)', sensor: 'fan2', rpm: 1107 },
      { hwmon: 'hwmon4', chip: 'nct6793', chipLabel: 'Motherboard (nct6793)', sensor: 'fan3', rpm: 812 },
    ]);
  });
});

describe('hwmon edge cases', () => {
  it('follows symlinked hwmon entries, keeps stalled fans (alarm or min set), labels drivetemp by model', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    await writeChip(t.dir, 'devices/platform/nct6775.656/hwmon/hwmon7', {
      name: 'nct6798',
      fan1_input: '0',
      fan1_alarm: '1',
      fan2_input: '0',
      fan2_min: '300',
      fan3_input: '0',
      fan4_input: '950',
      fan4_label: 'CPU_FAN',
    });
    await writeChip(t.dir, 'devices/scsi/hwmon/hwmon8', {
      name: 'drivetemp',
      'device/model': 'ST18000NM000J-2T',
      temp1_input: '31000',
      temp1_max: '60000',
    });
    await mkdir(join(t.dir, 'class/hwmon'), { recursive: true });
    await symlink(
      join(t.dir, 'devices/platform/nct6775.656/hwmon/hwmon7'),
      join(t.dir, 'class/hwmon/hwmon7'),
    );
    await symlink(join(t.dir, 'devices/scsi/hwmon/hwmon8'), join(t.dir, 'class/hwmon/hwmon8'));

    const { temperatures, fans } = await readHwmon(t.dir);
    expect(fans.map((f) => [f.sensor, f.rpm])).toEqual([
      ['fan1', 0],
      ['fan2', 0],
      ['CPU_FAN', 950],
    ]);
    expect(temperatures).toEqual([
      {
        hwmon: 'hwmon8',
        chip: 'drivetemp',
        chipLabel: 'Drive (ST18000NM000J-2T)',
        sensor: 'temp1',
        celsius: 31,
        maxCelsius: 60,
        critCelsius: null,
      },
    ]);
  });

  it('returns empty lists when there is no hwmon class (containers, VMs)', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    expect(await readHwmon(t.dir)).toEqual({ temperatures: [], fans: [] });
  });

  it('skips an unreadable or non-numeric input instead of failing', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    await writeChip(t.dir, 'class/hwmon/hwmon0', {
      name: 'k10temp',
      temp1_input: 'N/A',
      temp1_label: 'Tctl',
      temp3_input: '45125',
      temp3_label: 'Tccd1',
    });
    const { temperatures } = await readHwmon(t.dir);
    expect(temperatures.map((x) => [x.chipLabel, x.sensor, x.celsius])).toEqual([
      ['CPU (k10temp)', 'Tccd1', 45.125],
    ]);
  });

  it('labels chips readably', () => {
    expect(chipLabel('coretemp', null)).toBe('CPU (coretemp)');
    expect(chipLabel('k10temp', null)).toBe('CPU (k10temp)');
    expect(chipLabel('nvme', null)).toBe('NVMe');
    expect(chipLabel('nvme', 'Samsung SSD 980 PRO 1TB')).toBe('NVMe (Samsung SSD 980 PRO 1TB)');
    expect(chipLabel('nct6798', null)).toBe('Motherboard (nct6798)');
    expect(chipLabel('it8688', null)).toBe('Motherboard (it8688)');
    expect(chipLabel('pch_cannonlake', null)).toBe('Chipset (pch_cannonlake)');
    expect(chipLabel('amdgpu', null)).toBe('GPU (amdgpu)');
    expect(chipLabel('mystery', 'x')).toBe('mystery');
  });
});
