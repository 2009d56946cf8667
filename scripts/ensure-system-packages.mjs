// Installs the Debian packages the test suite and the demo use (a real Docker Engine and busybox for
// test images; libvirtd with the QEMU driver, virsh and qemu for VM tests; libvirt-dev, pkg-config and a
// C++ toolchain, which `npm ci` needs to build @unraid/libvirt — so run this before it) when they are
// missing and we are root on Debian. Anything else: say what is missing. Not libvirt-daemon-system: it
// pulls in systemd; scripts/libvirtd.mjs starts the daemons itself.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const NEEDED = [
  { pkg: 'docker.io', check: () => ['/usr/sbin/dockerd', '/usr/bin/dockerd'].some(existsSync) },
  { pkg: 'busybox-static', check: () => existsSync('/bin/busybox') || existsSync('/usr/bin/busybox') },
  { pkg: 'libvirt-daemon', check: () => existsSync('/usr/sbin/libvirtd') },
  { pkg: 'libvirt-clients', check: () => existsSync('/usr/bin/virsh') },
  { pkg: 'libvirt-dev', check: () => existsSync('/usr/include/libvirt/libvirt.h') },
  { pkg: 'pkg-config', check: () => existsSync('/usr/bin/pkg-config') },
  { pkg: 'qemu-system-x86', check: () => existsSync('/usr/bin/qemu-system-x86_64') },
  { pkg: 'qemu-utils', check: () => existsSync('/usr/bin/qemu-img') },
  { pkg: 'g++', check: () => existsSync('/usr/bin/g++') },
  { pkg: 'make', check: () => existsSync('/usr/bin/make') },
  { pkg: 'python3', check: () => existsSync('/usr/bin/python3') },
  // The WebGUI page as Unraid serves it: nginx (with nchan) + php-fpm, and a browser for Playwright.
  { pkg: 'nginx-light', check: () => existsSync('/usr/sbin/nginx') },
  { pkg: 'libnginx-mod-nchan', check: () => existsSync('/usr/lib/nginx/modules/ngx_nchan_module.so') },
  { pkg: 'php-fpm', check: () => existsSync('/usr/sbin/php-fpm8.2') },
  { pkg: 'php-cli', check: () => existsSync('/usr/bin/php') },
  { pkg: 'chromium', check: () => existsSync('/usr/bin/chromium') },
  // A real NUT upsd with its dummy-ups driver, for ups_status.
  { pkg: 'nut-server', check: () => existsSync('/usr/sbin/upsd') || existsSync('/sbin/upsd') },
  { pkg: 'nut-client', check: () => existsSync('/usr/bin/upsc') },
  // The real smartctl answers for a device that cannot be opened (disk_smart's error path).
  { pkg: 'smartmontools', check: () => existsSync('/usr/sbin/smartctl') },
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
  console.log(
    `These Debian packages are missing and will be installed now with apt-get (a real Docker Engine and ` +
      `busybox for the Docker tools, libvirt and qemu for the VM tools, the build tools npm needs for ` +
      `Unraid's libvirt binding, nginx + php-fpm and chromium for the WebGUI page): ${missing.join(' ')}`,
  );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
      stdio: 'inherit',
      env,
    });
  } catch {
    execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
      stdio: 'inherit',
      env,
    });
  }
  return true;
}
