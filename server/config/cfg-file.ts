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

/**
 * Sets keys in existing cfg text, keeping everything else as the owner left it: comments, order,
 * line endings and keys not being changed. A key already present is replaced where it stands;
 * a new key is appended.
 */
export function editCfg(text: string, updates: Record<string, string>): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text === '' ? [] : text.split(/\r?\n/);
  if (lines.length && lines.at(-1) === '') lines.pop();
  const pending = new Map(Object.entries(updates));
  const out = lines.map((raw) => {
    const m = LINE.exec(raw.trim());
    const key = m?.[1];
    if (key === undefined || !pending.has(key)) return raw;
    const line = serializeCfg({ [key]: pending.get(key) as string }).trimEnd();
    pending.delete(key);
    return line;
  });
  for (const [k, v] of pending) out.push(serializeCfg({ [k]: v }).trimEnd());
  return out.join(eol) + eol;
}
