import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allTools } from '../../server/tools/index.js';
import { selectTools } from '../../server/safety/select-tools.js';
import { SCOPES } from '../../server/vocabulary.js';
import { toListEntry } from '../../server/mcp/tool-listing.js';
import { TOOLSET_IDS } from '../../server/vocabulary.js';

const SNAP_DIR = join(import.meta.dirname, '__toolsnaps__');
const update = process.env.UPDATE_TOOLSNAPS === '1';

describe('tool registry', () => {
  // The unraid toolset names tools by what they work on, as Unraid's own pages do (parity_start,
  // syslog_read, ups_status); the others by the toolset itself.
  const PREFIXES: Record<string, string> = {
    unraid: '(?:parity|array|notifications?|syslog|disk|ups|gpu|plugins|user_scripts?|system)',
  };

  it('has tools, with unique snake_case names prefixed by their toolset (or, for unraid, their subject)', () => {
    expect(allTools.length).toBeGreaterThanOrEqual(4);
    expect(new Set(allTools.map((t) => t.name)).size).toBe(allTools.length);
    for (const t of allTools)
      expect(t.name).toMatch(new RegExp(`^${PREFIXES[t.toolset] ?? t.toolset}_[a-z0-9_]+$`));
  });

  it.each(allTools.map((t) => [t.name, t] as const))(
    '%s declares all four annotations, a title, a description and both schemas',
    (_n, t) => {
      expect(Object.keys(t.annotations).sort()).toEqual([
        'destructiveHint',
        'idempotentHint',
        'openWorldHint',
        'readOnlyHint',
      ]);
      expect(Object.values(t.annotations).every((v) => typeof v === 'boolean')).toBe(true);
      expect(t.title.length).toBeGreaterThan(3);
      expect(t.description.length).toBeGreaterThan(40);
      const entry = toListEntry(t);
      expect(entry.inputSchema).toMatchObject({ type: 'object', additionalProperties: false });
      expect(entry.outputSchema).toMatchObject({ type: 'object' });
    },
  );

  it('keeps scope and annotations consistent: read scope exactly for read-only tools', () => {
    for (const t of allTools) expect(t.scope === 'read').toBe(t.annotations.readOnlyHint);
    for (const t of allTools) if (t.annotations.destructiveHint) expect(t.scope).toBe('admin');
  });

  it('every writing tool declares its default confirmation mode; reads have none', () => {
    for (const t of allTools) {
      if (t.annotations.readOnlyHint) expect(t.confirm ?? 'none').toBe('none');
      else expect(t.confirm, `${t.name} must declare confirm`).toBeDefined();
    }
  });

  it('every writing tool accepts confirmation_token and confirmation_id; reads do not', () => {
    for (const t of allTools) {
      const props = Object.keys((toListEntry(t).inputSchema as { properties?: object }).properties ?? {});
      expect(props.includes('confirmation_token') && props.includes('confirmation_id')).toBe(
        !t.annotations.readOnlyHint,
      );
    }
  });

  it('read-only selection contains no writing tool, for every scope', () => {
    for (const scope of SCOPES) {
      for (const t of selectTools(allTools, { toolsets: TOOLSET_IDS, readOnly: true, scope }))
        expect(t.annotations.readOnlyHint).toBe(true);
    }
  });

  it.each(allTools.map((t) => [t.name, t] as const))(
    '%s matches its committed schema snapshot',
    (name, t) => {
      const file = join(SNAP_DIR, `${name}.snap.json`);
      const current = JSON.stringify(toListEntry(t), null, 2) + '\n';
      if (update) writeFileSync(file, current);
      if (!existsSync(file)) {
        throw new Error(
          `No schema snapshot for ${name}. Review the tool's schema, then run "npm run toolsnaps:update" and commit ${file}.`,
        );
      }
      const committed = readFileSync(file, 'utf8');
      if (committed !== current) {
        expect.fail(
          `The schema of ${name} changed. If the change is intended, run "npm run toolsnaps:update" and commit the snapshot.\n` +
            `committed: ${committed}\ncurrent: ${current}`,
        );
      }
    },
  );
});
