import { connect } from 'node:net';
import type { BackendProbe } from './backend-probe.js';

/**
 * Reachability of libvirt for /readyz. For local daemon URIs (qemu:///system and friends) it connects
 * to the daemon's unix socket; the test driver (test:///…) runs in-process and is always reachable.
 * A socket check rather than a libvirt call on purpose: polling /readyz must not load the native
 * binding into a sidecar that never used a VM tool.
 */
export function libvirtProbe(uri: string, socketPath = socketFor(uri)): BackendProbe {
  return {
    name: 'libvirt',
    check() {
      if (uri.startsWith('test://')) return Promise.resolve(null);
      if (!socketPath) return Promise.resolve(`unsupported libvirt URI scheme (${uri.split(':')[0]})`);
      return new Promise((resolve) => {
        const sock = connect(socketPath);
        const done = (result: string | null) => {
          sock.destroy();
          resolve(result);
        };
        const timer = setTimeout(() => done('the VM service is not responding'), 2000);
        sock.once('connect', () => {
          clearTimeout(timer);
          done(null);
        });
        sock.once('error', () => {
          clearTimeout(timer);
          done('the VM service (libvirt) is not running');
        });
      });
    },
  };
}

function socketFor(uri: string): string | null {
  if (/^(qemu|lxc|xen)(\+unix)?:\/\/\/system/.test(uri)) {
    const custom = /[?&]socket=([^&]+)/.exec(uri);
    return custom ? decodeURIComponent(custom[1] as string) : '/var/run/libvirt/libvirt-sock';
  }
  return null;
}
