// unraid-mcp.plg from plugin/unraid-mcp.plg.in: fills every @KEY@ (XML-escaped), and refuses a
// template that names a key it was not given or a value it was given but the template lacks.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './settings.mjs';

const escapeXml = (s) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** CHANGELOG.md without its title and preamble, "Unreleased" named as `version`. */
export function changesFor(version, changelog = readFileSync(join(REPO, 'CHANGELOG.md'), 'utf8')) {
  const start = changelog.search(/^## /m);
  if (start < 0) throw new Error('CHANGELOG.md has no "## " entry');
  return changelog
    .slice(start)
    .replace(/^## Unreleased$/m, `## ${version}`)
    .trim();
}

export function renderTemplate(template, values) {
  const used = new Set();
  const text = template.replace(/@([A-Z0-9_]+)@/g, (_, key) => {
    if (!(key in values)) throw new Error(`the template names @${key}@, which the build does not fill`);
    used.add(key);
    return escapeXml(String(values[key]));
  });
  const unused = Object.keys(values).filter((k) => !used.has(k));
  if (unused.length) throw new Error(`the template lacks ${unused.map((k) => `@${k}@`).join(', ')}`);
  return text;
}

/** Replaces the CA template's PluginURL with the one this build publishes. */
export function renderCaTemplate(xml, pluginUrl) {
  if (!/<PluginURL>[^<]*<\/PluginURL>/.test(xml)) throw new Error('the CA template has no <PluginURL>');
  return xml.replace(/<PluginURL>[^<]*<\/PluginURL>/, `<PluginURL>${escapeXml(pluginUrl)}</PluginURL>`);
}
