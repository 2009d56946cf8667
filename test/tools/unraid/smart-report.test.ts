import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TESTDATA } from '../../helpers/start-server.js';
import { readSmartReport, standbyMode } from '../../../server/backends/unraid/smart-report.js';

/** The SMART reader on the captures the MCP tests do not reach: SCSI, and smartctl's minimal outputs. */
const load = async (name: string) =>
  JSON.parse(await readFile(join(TESTDATA, 'unraid', 'smart', name), 'utf8')) as Record<string, unknown>;

describe('readSmartReport', () => {
  it('a SAS drive: grown defects flagged, uncorrected errors counted from both directions, its trip temperature', async () => {
    const r = readSmartReport(await load('smart-scsi.json'), 0, true);
    expect(r).toMatchObject({
      protocol: 'SCSI',
      model: 'SEAGATE ST4000NM0043',
      verdict: 'passed',
      health: 'warning',
      powerOnHours: 43549,
      wearPercentUsed: null,
    });
    expect(r.checks.map((c) => [c.name, c.value, c.status])).toEqual([
      ['grown_defects', 56, 'warning'],
      ['uncorrected_errors', 0, 'ok'],
      ['temperature', 34, 'ok'],
      ['power_on_hours', 43549, 'ok'],
    ]);
    expect(r.checks[2]!.note).toBe("34 °C, below the drive's own limit of 68 °C.");
  });

  it('an output with nothing but the verdict: counters "not reported", nothing invented', () => {
    const r = readSmartReport(
      { device: { protocol: 'ATA' }, smart_status: { passed: true }, smartctl: { exit_status: 0 } },
      0,
      true,
    );
    expect(r).toMatchObject({ verdict: 'passed', health: 'ok', temperatureC: null, powerOnHours: null });
    expect(r.checks.find((c) => c.name === 'reallocated_sectors')).toMatchObject({
      value: null,
      status: 'ok',
    });
  });

  it('a hard disk too hot without a limit of its own is flagged against 55 °C', () => {
    const r = readSmartReport({ device: { protocol: 'ATA' }, temperature: { current: 57 } }, 0, true);
    expect(r.checks.find((c) => c.name === 'temperature')).toMatchObject({ status: 'warning' });
    expect(r.verdict).toBe('unknown');
  });

  it("standby is only read from exit bit 1 with smartctl's own message", async () => {
    const json = await load('smart-standby.json');
    expect(standbyMode(json, 2)).toBe('STANDBY');
    expect(standbyMode(json, 0)).toBeNull();
    expect(
      standbyMode(
        { smartctl: { messages: [{ string: 'Smartctl open device: /dev/sdq failed: No such device' }] } },
        2,
      ),
    ).toBeNull();
  });
});
