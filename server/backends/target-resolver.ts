import type { TargetRef } from '../tools/define-tool.js';
import type { ResolvedTarget } from './resolved-target.js';
import type Docker from 'dockerode';
import { resolveContainer } from './docker/resolve-container.js';
import { resolveNetwork } from './docker/resolve-network.js';
import { BackendUnavailableError } from '../errors/backend-unavailable-error.js';

/** Turns what a tool was given (name, ID, ID prefix) into the real resource, before any policy check. */
export interface TargetResolver {
  resolve(target: TargetRef, signal: AbortSignal): Promise<ResolvedTarget>;
}

export function createTargetResolver(deps: { docker: () => Promise<Docker>; hostname: () => string }): TargetResolver {
  return {
    async resolve(target, signal) {
      switch (target.kind) {
        case 'container':
          return resolveContainer(await deps.docker(), target.ref, signal);
        case 'network':
          return resolveNetwork(await deps.docker(), target.ref, signal);
        case 'host':
          return { kind: 'host', id: 'host', name: deps.hostname(), labels: {} };
        default:
          // VMs and images get their resolvers with their toolsets; until then nothing may act on them.
          throw new BackendUnavailableError(`unraid-mcp cannot act on ${target.kind}s yet.`);
      }
    },
  };
}
