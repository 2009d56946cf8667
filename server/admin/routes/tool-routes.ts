import { Router } from 'express';
import type { SettingsStore } from '../../config/settings-store.js';
import { effectiveConfirmMode } from '../../config/settings.js';
import type { AnyTool } from '../../tools/define-tool.js';
import { TOOLSETS } from '../../vocabulary.js';

/**
 * The tool catalogue for the WebGUI's Access view: every toolset (on or off now) and every tool with
 * the scope it needs, whether it only reads, and its confirmation mode (the tool's default and the
 * one in force with the owner's override).
 */
export function toolRoutes(store: SettingsStore, tools: ReadonlyArray<AnyTool>): Router {
  const r = Router();
  r.get('/', (_req, res) => {
    const settings = store.current().settings;
    res.json({
      readOnly: settings.readOnly,
      toolsets: TOOLSETS.map((t) => ({ ...t, enabled: settings.toolsets.includes(t.id) })),
      tools: tools.map((t) => ({
        name: t.name,
        title: t.title,
        toolset: t.toolset,
        scope: t.scope,
        readOnly: t.annotations.readOnlyHint,
        confirm: { default: t.confirm ?? 'none', effective: effectiveConfirmMode(settings, t) },
      })),
    });
  });
  return r;
}
