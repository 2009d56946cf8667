import { z } from 'zod';
import { defineTool } from '../define-tool.js';
import { BackendUnavailableError } from '../../errors/backend-unavailable-error.js';
import { readUpsDaemons } from '../../backends/ups/read-ups.js';
import { unraidLayout } from './shared/unraid-layout.js';

const reading = z.object({
  daemon: z.enum(['apcupsd', 'nut']),
  name: z.string().nullable().describe("apcupsd's UPSNAME or NUT's UPS name"),
  model: z.string().nullable(),
  statusCodes: z.array(z.string()).describe("The daemon's own status words (ONLINE, ONBATT…; OL, OB, LB…)"),
  status: z.string().describe('The status in words'),
  onBattery: z.boolean().nullable(),
  lowBattery: z.boolean().nullable(),
  replaceBattery: z.boolean(),
  chargePercent: z.number().nullable(),
  runtimeSeconds: z.number().nullable().describe('Estimated runtime left on battery'),
  loadPercent: z.number().nullable(),
  loadWatts: z.number().nullable().describe('Reported, or load % × nominal power'),
  nominalPowerWatts: z.number().nullable(),
  inputVoltage: z.number().nullable(),
  outputVoltage: z.number().nullable(),
  batteryVoltage: z.number().nullable(),
  lastTransferReason: z
    .string()
    .nullable()
    .describe('Why the UPS last went to battery, when the daemon says'),
  problem: z.string().nullable(),
});

const minutes = (s: number) => (s >= 120 ? `${Math.round(s / 60)} min` : `${s} s`);

export const upsStatus = defineTool({
  name: 'ups_status',
  title: 'UPS status',
  description:
    'The UPS as its daemon reports it: status in words (on line power, on battery, battery low…), charge, ' +
    "runtime left, load, input/output voltage and the last transfer reason. Asks apcupsd (Unraid's built-in UPS " +
    "daemon, Settings → UPS Settings) and NUT's upsd (the NUT plugin) on this server. When neither runs, says so " +
    '(not an error).',
  toolset: 'unraid',
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  input: z.object({}).strict(),
  output: z.object({
    ups: z.array(reading),
    daemons: z
      .array(
        z.object({
          daemon: z.enum(['apcupsd', 'nut']),
          address: z.string(),
          outcome: z.enum(['answered', 'not_running', 'failed']),
          note: z.string(),
        }),
      )
      .describe('What each daemon answered'),
    message: z.string(),
  }),
  run: async (_args, ctx) => {
    const layout = unraidLayout(ctx);
    const { ups, daemons } = await readUpsDaemons(layout.apcupsd, layout.nut, ctx.signal);
    const failed = daemons.filter((d) => d.outcome === 'failed');
    if (ups.length === 0 && failed.length > 0)
      throw new BackendUnavailableError(
        failed.map((d) => `${d.daemon} on ${d.address}: ${d.note}`).join(' '),
      );
    if (ups.length === 0) {
      const where = daemons
        .map((d) => `${d.address} (${d.daemon === 'nut' ? 'NUT upsd' : 'apcupsd'})`)
        .join(' or ');
      const nut = daemons.find((d) => d.daemon === 'nut' && d.outcome === 'answered');
      return {
        ups,
        daemons,
        message: nut
          ? `NUT's upsd answers on ${nut.address} but has no UPS configured; apcupsd is not answering.`
          : `No UPS daemon answering on ${where}: no UPS is set up on this server (Settings → UPS Settings, or the NUT plugin).`,
      };
    }
    const lines = ups.map((u) => {
      const parts = [
        u.chargePercent !== null ? `charge ${u.chargePercent}%` : null,
        u.runtimeSeconds !== null ? `${minutes(u.runtimeSeconds)} runtime` : null,
        u.loadPercent !== null
          ? `load ${u.loadPercent}%${u.loadWatts !== null ? ` (${u.loadWatts} W)` : ''}`
          : null,
      ].filter(Boolean);
      return `${u.name ?? u.model ?? 'UPS'} (${u.daemon}): ${u.status}${parts.length ? `; ${parts.join(', ')}` : ''}.`;
    });
    const notes = failed.map((d) => ` ${d.daemon} on ${d.address} did not answer properly: ${d.note}`);
    return { ups, daemons, message: `${lines.join(' ')}${notes.join('')}` };
  },
});
