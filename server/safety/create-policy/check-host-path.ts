import { normaliseHostPath, writtenPathProblem } from '../../util/host-path.js';
import type { RealPath } from '../../util/resolve-host-path.js';
import { sensitivePath } from './sensitive-paths.js';
import { allowlistMatch, splitAllowlistEntry } from '../../config/bind-allowlist.js';

/** Physical resolutions of host paths, by normalised path (see resolveHostPaths). */
export type RealPaths = ReadonlyMap<string, RealPath>;

export type HostPathCheck =
  | { ok: true; normalised: string; resolved: string }
  /** `refused` for a dangerous path; `invalid` for one that is merely malformed. */
  | { ok: false; kind: 'refused' | 'invalid'; message: string };

/** The paths the policy wants resolved for `raw`: the path itself once it is well-formed. */
export function pathToResolve(raw: string): string | null {
  return writtenPathProblem(raw) ? null : normaliseHostPath(raw);
}

/** Allowlist entries with the part before their first `*` resolved on disk. */
export function resolvedAllowlist(entries: ReadonlyArray<string>, realpaths: RealPaths): string[] {
  const out: string[] = [];
  for (const entry of entries) {
    out.push(entry);
    const { prefix, rest } = splitAllowlistEntry(entry);
    const real = realpaths.get(prefix);
    if (real?.ok && real.path !== prefix) out.push([real.path.replace(/\/$/, ''), ...rest].join('/'));
  }
  return out;
}

/**
 * Checks one host path a container would mount (`label` names the argument, e.g. `binds[1].host`):
 * written form, then the sensitive folders for both the normalised and the symlink-resolved path,
 * then the allowlist on the resolved path. A path is refused, never repaired.
 */
export function checkHostPath(
  label: string,
  raw: string,
  opts: { allowlist: ReadonlyArray<string>; realpaths: RealPaths },
): HostPathCheck {
  const shown = JSON.stringify(raw.length > 300 ? `${raw.slice(0, 300)}…` : raw);
  const written = writtenPathProblem(raw);
  if (written) {
    // Say what the trick would have reached, when it is something sensitive.
    let decoded = raw;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      // not decodable: keep as written
    }
    const target = decoded.startsWith('/')
      ? sensitivePath(normaliseHostPath(decoded.replace(/\\/g, '/')))
      : null;
    if (target)
      return {
        ok: false,
        kind: 'refused',
        message: `${label}: ${shown} resolves to ${target.what}${target.why ? ` — ${target.why}` : ''} (and it ${written})`,
      };
    return {
      ok: false,
      kind:
        written.startsWith('is not an absolute') || written.startsWith('contains control')
          ? 'invalid'
          : 'refused',
      message: `${label}: ${shown} ${written}`,
    };
  }
  const normalised = normaliseHostPath(raw);
  const real = opts.realpaths.get(normalised);
  if (real && !real.ok) return { ok: false, kind: 'refused', message: `${label}: ${shown} ${real.reason}` };
  const resolved = real?.ok ? real.path : normalised;
  for (const p of new Set([normalised, resolved])) {
    const s = sensitivePath(p);
    if (!s) continue;
    const where = p === raw ? `is ${s.what}` : `resolves to ${s.what}${p !== normalised ? ` ("${p}")` : ''}`;
    return {
      ok: false,
      kind: 'refused',
      message: `${label}: ${shown} ${where}${s.why ? ` — ${s.why}` : ''}`,
    };
  }
  if (!allowlistMatch(resolved, resolvedAllowlist(opts.allowlist, opts.realpaths))) {
    const via = resolved !== normalised ? ` (it resolves to "${resolved}")` : '';
    const share = /^\/mnt\/user\/[^/]+$/.exec(resolved);
    const why = share
      ? `is a whole user share${via} — bind a folder inside it, or ask the owner to allow the whole share in Settings → unraid-mcp`
      : `is outside the folders containers may use${via} (${opts.allowlist.join(', ') || 'none allowed'}) — use a folder below /mnt/user/appdata/ or a share, or ask the owner to add it to the bind allowlist in Settings → unraid-mcp`;
    return { ok: false, kind: 'refused', message: `${label}: ${shown} ${why}` };
  }
  return { ok: true, normalised, resolved };
}
