import type Docker from 'dockerode';
import { resolveContainer } from './docker/resolve-container.js';
import { resolveNetwork } from './docker/resolve-network.js';
import type { LibvirtClient } from './vm/libvirt-client.js';
import { resolveVm } from './vm/resolve-vm.js';
import { BackendUnavailableError } from '../errors/backend-unavailable-error.js';
import type { TargetRef, ResolvedTarget } from '../vocabulary.js';

/** Turns what a tool was given (name, ID, ID prefix) into the real resource, before any policy check. */
export interface TargetResolver {
  resolve(target: TargetRef, signal: AbortSignal): Promise<ResolvedTarget>;
}

export function createTargetResolver(deps: {
  docker: () => Promise<Docker>;
  libvirt: LibvirtClient;
  hostname: () => string;
}): TargetResolver {
  return {
    async resolve(target, signal) {
      switch (target.kind) {
        case 'container':
          return resolveContainer(await deps.docker(), target.ref, signal);
        case 'network':
          return resolveNetwork(await deps.docker(), target.ref, signal);
        case 'vm':
          return resolveVm(deps.libvirt, target.ref);
        case 'host':
          return { kind: 'host', id: 'host', name: deps.hostname(), labels: {} };
        default:
          // Images get a resolver with the tools that act on one; until then nothing may.
          throw new BackendUnavailableError(`unraid-mcp cannot act on ${target.kind}s yet.`);
      }
    },
  };
}
