/** A service the sidecar depends on and can check (Docker, libvirt, its own configuration). */
export interface BackendProbe {
  name: string;
  /** Resolves with why the backend is unavailable, or null when it is up. Must not throw. */
  check(signal: AbortSignal): Promise<string | null>;
}

/**
 * Wraps a probe so repeated /readyz polls within `ttlMs` reuse the last answer instead of
 * hammering a dead socket.
 */
export function cachedProbe(probe: BackendProbe, ttlMs = 2000): BackendProbe {
  let last: { at: number; result: Promise<string | null> } | null = null;
  return {
    name: probe.name,
    check(signal) {
      const now = Date.now();
      if (!last || now - last.at > ttlMs) last = { at: now, result: probe.check(signal).catch((e: unknown) => String(e)) };
      return last.result;
    },
  };
}
