import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHostReader } from '../../../server/backends/host/host-reader.js';
import { ToolError } from '../../../server/errors/tool-error.js';
import { toToolResult } from '../../../server/errors/to-tool-result.js';
import type { AnyTool } from '../../../server/tools/define-tool.js';
import { toolsOf } from '../../helpers/test-tools.js';
import { copyOf, emhttpDir, fixtureReader, FIXTURE_SETS, PROC, SYS } from '../../backends/host/testdata.js';
import { capturingLogger, toolContext } from './harness.js';

/** The csrf_token of a fixture, read from the raw file (not through our parser, which drops it). */
async function csrfOf(set: (typeof FIXTURE_SETS)[number]): Promise<string | null> {
  const text = await readFile(join(emhttpDir(set), 'var.ini'), 'utf8');
  return /^csrf_token="([^"]*)"/m.exec(text)?.[1] ?? null;
}

const systemTools = toolsOf('system');
const tools: readonly AnyTool[] = systemTools;

describe('every system tool on every fixture set', () => {
  it('exports the four tools in order, all read-only', () => {
    expect(systemTools.map((t) => t.name)).toEqual([
      'system_overview',
      'system_array_status',
      'system_disks',
      'system_shares',
    ]);
    for (const t of systemTools) {
      expect(t.toolset).toBe('system');
      expect(t.scope).toBe('read');
      expect(t.annotations).toEqual({
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      });
    }
  });

  it.each(FIXTURE_SETS)('%s: outputs parse with their own schema; errors are ToolErrors', async (set) => {
    const ctx = toolContext(fixtureReader(set));
    for (const tool of tools) {
      try {
        const out: unknown = await tool.run({}, ctx);
        expect(tool.output.parse(out)).toEqual(out);
        expect(tool.outputWithTruncation.parse(out)).toEqual(out);
      } catch (err) {
        expect(err).toBeInstanceOf(ToolError);
      }
    }
  });

  it('the fixtures that carry a csrf_token are the ones we check', async () => {
    expect(await csrfOf('unraid-6.11')).toBe('0000000000000000');
    expect(await csrfOf('unraid-7.3.1')).toBe('REDACTED');
    expect(await csrfOf('parity-check-running')).toBe('9F3A2C7B1E5D4086');
    expect(await csrfOf('parity-check-paused')).toBe('5D21E0A8C4B7F963');
    expect(await csrfOf('zfs-pools')).toBe('C0FFEE1234ABCD99');
  });

  /** Runs every tool (and system_disks with a filter) and returns all outputs, error texts and log lines. */
  async function everything(host: ReturnType<typeof fixtureReader>): Promise<string> {
    const { log, lines } = capturingLogger();
    const ctx = toolContext(host, log);
    const seen: string[] = [];
    for (const tool of tools) {
      for (const args of tool.name === 'system_disks' ? [{}, { type: 'data' }] : [{}]) {
        try {
          seen.push(JSON.stringify(await tool.run(args, ctx)));
        } catch (err) {
          seen.push(JSON.stringify(toToolResult(err)), String(err), (err as Error).stack ?? '');
        }
      }
    }
    return [...seen, ...lines].join('\n');
  }

  it.each(FIXTURE_SETS)(
    '%s: the fixture csrf_token never appears in any output, error or log line',
    async (set) => {
      const token = await csrfOf(set);
      const text = await readFile(join(emhttpDir(set), 'var.ini'), 'utf8');
      // Only meaningful when the value is unique: the 7.3.1 capture uses "REDACTED" for other fields too.
      if (token === null || text.split(token).length !== 2) return;
      const all = await everything(fixtureReader(set));
      expect(all.length).toBeGreaterThan(100);
      expect(all).not.toContain(token);
      expect(all).not.toContain('csrf');
    },
  );

  it.each(FIXTURE_SETS)('%s: an injected unique csrf_token never appears either', async (set) => {
    const t = await copyOf(join('emhttp', set));
    try {
      const token = randomBytes(16).toString('hex');
      const path = join(t.dir, 'var.ini');
      const text = (await readFile(path, 'utf8')).replace(/^csrf_token=.*$/m, '');
      await writeFile(path, `${text.trimEnd()}\ncsrf_token="${token}"\n`);
      const all = await everything(createHostReader({ procRoot: PROC, sysRoot: SYS, emhttpRoot: t.dir }));
      expect(all).not.toContain(token);
    } finally {
      await t.cleanup();
    }
  });
});
