/**
 * The `key="value"` format of Unraid plugin .cfg files, which PHP's parse_plugin_cfg and shell
 * scripts also read. Strict on purpose: this is our own file, so a line we cannot read is an error
 * the owner must see, not something to skip (skipping could silently weaken a setting).
 */
export interface CfgParseResult {
  values: Record<string, string>;
  problems: Array<{ line: number; message: string }>;
}

const LINE = /^([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"$/;

export function parseCfg(text: string): CfgParseResult {
  const values: Record<string, string> = {};
  const problems: CfgParseResult['problems'] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = LINE.exec(line);
    if (!m) {
      problems.push({ line: i + 1, message: `cannot read line ${i + 1}: expected KEY="value"` });
      return;
    }
    const [, key, value] = m as unknown as [string, string, string];
    if (key in values) problems.push({ line: i + 1, message: `${key} is set twice (line ${i + 1})` });
    values[key] = value.replace(/\\(.)/g, '$1');
  });
  return { values, problems };
}

export function serializeCfg(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}="${v.replace(/["\\]/g, '\\$&')}"`)
    .join('\n')
    .concat('\n');
}
