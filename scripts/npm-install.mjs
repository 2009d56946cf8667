// `npm ci` with retries: the registry sometimes serves a stale index (ETARGET) for a moment.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export function npmInstallIfNeeded({ force = false } = {}) {
  if (!force && existsSync('node_modules/.package-lock.json')) return;
  console.log('Installing the npm dependencies listed in package-lock.json (npm ci) ...');
  for (let attempt = 1; ; attempt++) {
    try {
      execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
      console.warn(`npm ci failed (attempt ${attempt}); retrying in ${attempt * 5} s`);
      execFileSync('sleep', [String(attempt * 5)]);
    }
  }
}
