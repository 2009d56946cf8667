// Installs the Debian packages the test suite and the demo use (a real Docker Engine and busybox for
// test images) when they are missing and we are root on Debian. Anything else: say what is missing.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const NEEDED = [
  { pkg: 'docker.io', check: () => ['/usr/sbin/dockerd', '/usr/bin/dockerd'].some(existsSync) },
  { pkg: 'busybox-static', check: () => existsSync('/bin/busybox') || existsSync('/usr/bin/busybox') },
];

export function ensureSystemPackages({ required }) {
  const missing = NEEDED.filter((n) => !n.check()).map((n) => n.pkg);
  if (!missing.length) return true;
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    const msg = `Missing Debian packages: ${missing.join(' ')} — install them with: sudo apt-get install -y ${missing.join(' ')}`;
    if (required) throw new Error(msg);
    console.warn(msg);
    return false;
  }
  console.log(`Installing ${missing.join(' ')} ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  } catch {
    execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  }
  return true;
}
