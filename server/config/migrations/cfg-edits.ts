import { editCfg, parseCfg, serializeCfg } from '../cfg-file.js';

/** The line of `key` in cfg text, if any (the same KEY="value" rule as cfg-file.ts). */
function keyOf(line: string): string | undefined {
  return /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line.trim())?.[1];
}

/** Renames `from` to `to` where it stands (comments and order kept); nothing when `from` is absent or `to` already set. */
export function renameKey(text: string | null, from: string, to: string): string | null {
  if (text === null) return null;
  const { values } = parseCfg(text);
  if (!(from in values) || to in values) return text;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const renamed = serializeCfg({ [to]: values[from] as string }).trimEnd();
  return text
    .split(/\r?\n/)
    .map((l) => (keyOf(l) === from ? renamed : l))
    .join(eol);
}

/** Removes every line that sets `key`. */
export function removeKey(text: string | null, key: string): string | null {
  if (text === null) return null;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/).filter((l) => keyOf(l) !== key);
  return lines.join(eol);
}

/** Sets `key` only when the file does not: an existing install keeps the behaviour it had. */
export function setIfAbsent(text: string | null, key: string, value: string): string | null {
  if (text === null) return null;
  return key in parseCfg(text).values ? text : editCfg(text, { [key]: value });
}
