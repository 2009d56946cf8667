import { readFileSync } from 'node:fs';
import type { ConfigProblem } from '../errors/config-error.js';
import type { VmShares } from './vm-shares.js';

/**
 * What the owner already set in Unraid's own settings, read once at start so the sidecar does not ask
 * again: the Docker appdata folder (Settings → Docker, /boot/config/docker.cfg) where the audit log
 * and pending approvals persist, the VM shares and bridge (Settings → VM Manager,
 * /boot/config/domain.cfg), and whether the array is started (var.ini's mdState).
 *
 * These files belong to the WebGUI, not to us, so reading is lenient the way PHP's parse_ini_file is
 * (quoted or bare values, `#`/`;` comments): a line or value we cannot use is named in a problem, that
 * one setting falls back to its default and everything else is still read. Nothing here ever throws.
 */
export interface UnraidHostFiles {
  /** DOCKER_APP_CONFIG_PATH without its trailing slash; null when not set (or unusable). */
  appdataDir: string | null;
  /** DOMAINDIR, MEDIADIR (without trailing slash) and BRNAME, each only when set and usable. */
  vmShares: Partial<VmShares>;
  /** mdState is STARTED; null when var.ini is missing (not an Unraid server, or emhttp not up yet). */
  arrayStarted: boolean | null;
  /** What could not be used, each naming the file and the key (or line). */
  problems: ConfigProblem[];
}

export interface UnraidHostPaths {
  dockerCfg: string;
  domainCfg: string;
  varIni: string;
}

/** `KEY="value"` or `KEY=value`; PHP's parse_ini_file reads both. */
const LINE = /^([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(?:"([^"]*)"|([^"]*?))\s*$/;

export interface OwnerCfg {
  values: Record<string, string>;
  problems: ConfigProblem[];
}

/** Parses a WebGUI-owned cfg/ini file; `file` names it in problems. Section headers are skipped. */
export function parseOwnerCfg(text: string, file: string): OwnerCfg {
  const values: Record<string, string> = {};
  const problems: ConfigProblem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';') || /^\[.*\]$/.test(line)) return;
    const m = LINE.exec(line);
    if (!m) {
      problems.push({
        file,
        field: `line ${i + 1}`,
        message: `cannot be read (expected KEY="value"): ${JSON.stringify(line.slice(0, 80))}`,
      });
      return;
    }
    values[m[1] as string] = m[2] ?? m[3] ?? '';
  });
  return { values, problems };
}

/** Reads a file that may legitimately be missing; other read errors become a problem. */
function readOptional(path: string, problems: ConfigProblem[]): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    problems.push({
      file: path,
      field: '(file)',
      message: `cannot be read (${code ?? String(err)}); using defaults`,
    });
    return null;
  }
}

/** An absolute folder other than /, without "..", trailing slashes removed; else a problem. */
function folder(cfg: OwnerCfg, file: string, key: string, problems: ConfigProblem[]): string | undefined {
  const raw = cfg.values[key];
  if (raw === undefined || raw.trim() === '') return undefined;
  const dir = raw.trim().replace(/(.)\/+$/, '$1');
  if (!dir.startsWith('/') || dir === '/' || dir.split('/').includes('..')) {
    problems.push({
      file,
      field: key,
      message: `"${raw}" is not an absolute folder other than / (without ".."); using the default`,
    });
    return undefined;
  }
  return dir;
}

export function readUnraidHostFiles(paths: UnraidHostPaths): UnraidHostFiles {
  const problems: ConfigProblem[] = [];
  const result: UnraidHostFiles = { appdataDir: null, vmShares: {}, arrayStarted: null, problems };

  const docker = readOptional(paths.dockerCfg, problems);
  if (docker !== null) {
    const cfg = parseOwnerCfg(docker, paths.dockerCfg);
    problems.push(...cfg.problems);
    result.appdataDir = folder(cfg, paths.dockerCfg, 'DOCKER_APP_CONFIG_PATH', problems) ?? null;
  }

  const domain = readOptional(paths.domainCfg, problems);
  if (domain !== null) {
    const cfg = parseOwnerCfg(domain, paths.domainCfg);
    problems.push(...cfg.problems);
    const domainsDir = folder(cfg, paths.domainCfg, 'DOMAINDIR', problems);
    const isoDir = folder(cfg, paths.domainCfg, 'MEDIADIR', problems);
    if (domainsDir) result.vmShares.domainsDir = domainsDir;
    if (isoDir) result.vmShares.isoDir = isoDir;
    const bridge = cfg.values.BRNAME?.trim();
    if (bridge && /^[A-Za-z0-9_.:-]{1,15}$/.test(bridge)) result.vmShares.bridge = bridge;
    else if (bridge)
      problems.push({
        file: paths.domainCfg,
        field: 'BRNAME',
        message: `"${bridge}" is not a network interface name; using the default`,
      });
  }

  const vars = readOptional(paths.varIni, problems);
  if (vars !== null) {
    // var.ini is emhttpd's own (always quoted) output; only mdState is needed here.
    const m = /^mdState="([^"]*)"\s*$/m.exec(vars);
    result.arrayStarted = m?.[1] === 'STARTED';
  }
  return result;
}
