import { reuseResult } from '../util/reuse-result.js';

/** A service the sidecar depends on and can check (Docker, libvirt, its own configuration). */
export interface BackendProbe {
  name: string;
  /** Resolves with why the backend is unavailable, or null when it is up. Must not throw. */
  check(): Promise<string | null>;
}

/** Repeated /readyz polls within `ttlMs` reuse the last answer instead of hammering a dead socket. */
export function cachedProbe(probe: BackendProbe, ttlMs = 2000): BackendProbe {
  const check = reuseResult(() => probe.check().catch((e: unknown) => String(e)), ttlMs, {
    keepFailures: true,
  });
  return { name: probe.name, check };
}
