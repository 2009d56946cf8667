// The build's version and timestamp come from the commit, so the same commit always gives the same
// package: version YYYY.MM.DD.HHMM (UTC) sorts as Unraid compares plugin versions (plain strcmp).
import { execFileSync } from 'node:child_process';
import { REPO } from './settings.mjs';

/** SOURCE_DATE_EPOCH when set (the reproducible-builds convention), else the HEAD commit's time. */
export function sourceDateEpoch() {
  const fromEnv = process.env.SOURCE_DATE_EPOCH;
  if (fromEnv !== undefined) {
    if (!/^\d+$/.test(fromEnv)) throw new Error(`SOURCE_DATE_EPOCH must be whole seconds, got "${fromEnv}"`);
    return Number(fromEnv);
  }
  const out = execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: REPO, encoding: 'utf8' }).trim();
  if (!/^\d+$/.test(out)) throw new Error(`git log gave no commit time ("${out}")`);
  return Number(out);
}

/** YYYY.MM.DD.HHMM in UTC: zero-padded fields, so a later build is always a greater string. */
export function versionFromEpoch(epoch) {
  const d = new Date(epoch * 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}.${p(d.getUTCMonth() + 1)}.${p(d.getUTCDate())}.${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}

/** True when tracked files differ from HEAD: the package then holds more than the commit says. */
export function treeIsDirty() {
  return (
    execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: REPO,
      encoding: 'utf8',
    }).trim() !== ''
  );
}
