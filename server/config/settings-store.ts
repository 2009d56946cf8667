import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors/config-error.js';
import { silentLogger, type Logger } from '../log.js';
import { CompiledPolicy } from './policy/compile-policy.js';
import { writeFileAtomic } from './atomic-write.js';
import { editCfg } from './cfg-file.js';
import { configPaths, parseConfig, readConfigTexts, revisionOf, type ConfigTexts } from './config-files.js';
import { POLICY_FILE, serializePolicyFile } from './policy-file.js';
import { SEEN_FILE, readSeenFiles, serializeSeenFiles, type SeenFiles } from './seen-settings-files.js';
import { applyPatch, diffSettings, parsePatch, type SettingsPatch } from './settings-patch.js';
import { checkPolicySettings, relaxedConfirmations, type KnownTool } from './settings-check.js';
import {
  CFG_KEYS,
  DEFAULT_SETTINGS,
  SERVICE_FIELDS,
  SETTINGS_FILE,
  cfgValue,
  crossFieldProblems,
  type ServiceField,
  type Settings,
} from './settings.js';
import { SettingsConflictError } from './settings-conflict-error.js';
import { SettingsWriteError, errorCode } from './settings-write-error.js';
import { writeOrRestore, type PlannedWrite } from './write-or-restore.js';

/** What every tool call reads: the settings, their compiled rules, and which version of the files they came from. */
export interface SettingsSnapshot {
  readonly settings: Settings;
  readonly policy: CompiledPolicy;
  /** Hash of both files' content; changes exactly when either file's content does. */
  readonly revision: string;
  /**
   * Set while a file is invalid. MCP must then be refused; `settings` and `policy` are a lockdown
   * (read-only, no toolsets, every name denied and protected), never defaults or weaker rules.
   */
  readonly error: ConfigError | null;
}

export interface SettingsUpdateResult {
  previousRevision: string;
  revision: string;
  /** Field paths that changed (`readOnly`, `filters.containers.deny`, `confirmModes.docker_stop`), for the audit log. */
  changed: string[];
  /** Files written (only those whose content had to change). */
  written: string[];
  /** Confirmations relaxed below the tool's default. Allowed, but worth showing and auditing. */
  warnings: string[];
  snapshot: SettingsSnapshot;
}

/** Writes one file atomically; resolves to whether it wrote. Injectable so tests can fail a write. */
export type SettingsFileWriter = (path: string, content: string) => Promise<boolean>;

export interface SettingsStoreOptions {
  configDir: string;
  /** The registry's tools (see knownToolsOf); confirmation overrides are checked against them. */
  knownTools: ReadonlyArray<KnownTool>;
  log?: Logger;
  /** Least time between two stats of the files; default 250 ms. */
  recheckMs?: number;
  writeFile?: SettingsFileWriter;
}

const LOCKDOWN: Settings = deepFreeze({
  ...DEFAULT_SETTINGS,
  readOnly: true,
  toolsets: [],
  filters: { containers: { allow: [], deny: ['*'] }, vms: { allow: [], deny: ['*'] } },
  protected: { containers: ['*'], vms: ['*'] },
  confirmModes: {},
});
const LOCKDOWN_POLICY = CompiledPolicy.compile(LOCKDOWN);
/** A file modified this recently may change again without its stat changing (FAT32 keeps mtime in 2 s steps). */
const RACY_MS = 3000;

/**
 * The owner's settings: unraid-mcp.cfg (service settings) plus policy.json (rules), validated and
 * compiled together. `current()` is cheap enough for every tool call: at most every `recheckMs` it
 * stats both files and re-reads them only when a stat changed (or a file is too fresh to trust its
 * stat), so hand edits apply without a restart. `update()` is for the admin API: serialised, with
 * optimistic concurrency, writing only files whose content changes, and restoring the first file if
 * the second cannot be written, so the pair is never half-applied.
 *
 * A file that was present and disappears is a lockdown, not defaults (see seen-settings-files.ts):
 * the store remembers every file it has read present, in memory for this run and in settings-seen.txt
 * for the next ones.
 */
export class SettingsStore {
  private snap: SettingsSnapshot;
  private texts: ConfigTexts = { cfg: { state: 'missing' }, policy: { state: 'missing' } };
  private loaded = false;
  private fingerprint = '';
  private racy = false;
  private lastCheck = -Infinity;
  private writing = false;
  private queue: Promise<unknown> = Promise.resolve();
  /** The seen list as last read from disk; `seen` adds what this run has read present. */
  private seenOnDisk: SeenFiles | null = null;
  private readonly seen = new Set<string>();
  private seenWrite: Promise<void> = Promise.resolve();
  private readonly paths: { cfg: string; policy: string };
  private readonly log: Logger;
  private readonly write: SettingsFileWriter;

  constructor(private readonly opts: SettingsStoreOptions) {
    this.paths = configPaths(opts.configDir);
    this.log = opts.log ?? silentLogger;
    this.write = opts.writeFile ?? ((path, content) => writeFileAtomic(path, content, 0o600));
    this.snap = {
      settings: LOCKDOWN,
      policy: LOCKDOWN_POLICY,
      revision: '',
      error: new ConfigError([{ file: SETTINGS_FILE, field: '(file)', message: 'not loaded yet' }]),
    };
  }

  /** Reads and validates both files now. Never throws for bad files: see `error` in the result. */
  async load(): Promise<SettingsSnapshot> {
    this.refresh(true);
    await this.seenWrite;
    return this.snap;
  }

  /** The settings in force. Reloads first if the files changed on disk. */
  current(): SettingsSnapshot {
    this.refresh(false);
    return this.snap;
  }

  /** The current problem with the settings files, or null when they are usable. */
  configError(): ConfigError | null {
    return this.current().error;
  }

  /**
   * Applies a change (see SettingsPatch). Throws ConfigError (every bad field, with the file it lives
   * in) for invalid input or while the files on disk are invalid, SettingsConflictError when
   * `expectedRevision` is not the current revision, SettingsWriteError when saving failed (the
   * files are then restored to their previous content). Concurrent calls run one after another.
   */
  update(patch: SettingsPatch, expectedRevision?: string): Promise<SettingsUpdateResult> {
    return this.serialised(() => this.applyUpdate(patch, expectedRevision));
  }

  private async applyUpdate(
    patch: SettingsPatch,
    expectedRevision: string | undefined,
  ): Promise<SettingsUpdateResult> {
    this.refresh(true);
    const before = this.snap;
    if (before.error) throw before.error;
    if (expectedRevision !== undefined && expectedRevision !== before.revision)
      throw new SettingsConflictError(expectedRevision, before.revision);
    const parsed = parsePatch(patch);
    if (!parsed.ok) throw new ConfigError(parsed.problems);
    const next = applyPatch(before.settings, parsed.patch);
    const changed = diffSettings(before.settings, next);
    const warnings = relaxedConfirmations(next, this.opts.knownTools).filter((w) =>
      changed.some((c) => w.startsWith(`${c}:`)),
    );
    const result = {
      previousRevision: before.revision,
      revision: before.revision,
      changed,
      written: [] as string[],
      warnings,
      snapshot: before,
    };
    if (!changed.length) return result;

    const serviceChanged = SERVICE_FIELDS.filter((f) => changed.includes(f));
    const policyChanged = changed.some((c) => !(SERVICE_FIELDS as string[]).includes(c));
    const problems = crossFieldProblems(next, SETTINGS_FILE, (f) => f);
    let policy = before.policy;
    if (policyChanged) {
      const checked = checkPolicySettings(next, this.opts.knownTools);
      problems.push(...checked.problems);
      if (checked.policy) policy = checked.policy;
    }
    if (problems.length) throw new ConfigError(problems);

    const writes: PlannedWrite[] = [];
    if (serviceChanged.length) {
      const updates = Object.fromEntries(
        serviceChanged.map((f: ServiceField) => [CFG_KEYS[f], cfgValue(next, f)]),
      );
      const old = this.texts.cfg.state === 'present' ? this.texts.cfg.text : '';
      writes.push({
        file: SETTINGS_FILE,
        path: this.paths.cfg,
        before: this.texts.cfg,
        content: editCfg(old, updates),
      });
    }
    if (policyChanged)
      writes.push({
        file: POLICY_FILE,
        path: this.paths.policy,
        before: this.texts.policy,
        content: serializePolicyFile(next),
      });

    this.writing = true;
    try {
      await writeOrRestore(writes, this.write);
    } catch (err) {
      this.writing = false;
      this.refresh(true); // whatever is on disk now (the previous pair when the restore worked)
      this.log.error('saving settings failed', {
        err: errorCode(err),
        restored: err instanceof SettingsWriteError && err.restored,
      });
      throw err;
    } finally {
      this.writing = false;
    }
    const texts: ConfigTexts = { ...this.texts };
    for (const w of writes)
      texts[w.file === SETTINGS_FILE ? 'cfg' : 'policy'] = { state: 'present', text: w.content };
    this.install(texts, { settings: next, policy });
    this.noteFingerprint(Date.now());
    await this.seenWrite;
    this.log.info('settings updated', { changed, revision: this.snap.revision });
    return {
      ...result,
      revision: this.snap.revision,
      written: writes.map((w) => w.file),
      snapshot: this.snap,
    };
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Re-reads the files when their stat changed (or they are too fresh to trust); `force` skips the throttle. */
  private refresh(force: boolean): void {
    if (this.writing && !force) return; // mid-update the pair may be half-written: keep the old snapshot
    const now = Date.now();
    if (!force && now - this.lastCheck < (this.opts.recheckMs ?? 250)) return;
    this.lastCheck = now;
    const previous = this.fingerprint;
    const wasRacy = this.racy;
    this.noteFingerprint(now);
    if (!force && this.loaded && this.fingerprint === previous && !wasRacy) return;
    const texts = readConfigTexts(this.opts.configDir);
    if (this.loaded && revisionOf(texts) === this.snap.revision) {
      this.texts = texts;
      return;
    }
    this.install(texts);
  }

  /** Stats both files (before reading them, so a change during the read shows up next time). */
  private noteFingerprint(now: number): void {
    let racy = false;
    this.fingerprint = [this.paths.cfg, this.paths.policy]
      .map((p) => {
        try {
          const st = statSync(p);
          if (now - Math.max(st.mtimeMs, st.ctimeMs) < RACY_MS) racy = true;
          return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
        } catch (err) {
          return (err as NodeJS.ErrnoException).code ?? 'error';
        }
      })
      .join('|');
    this.racy = racy;
  }

  /** Makes texts the current state; parses them unless the caller already has the result. */
  private install(texts: ConfigTexts, parsed?: { settings: Settings; policy: CompiledPolicy }): void {
    const revision = revisionOf(texts);
    const hadError = this.loaded && this.snap.error !== null;
    this.texts = texts;
    this.loaded = true;
    const seen = this.seenFiles();
    if (texts.cfg.state === 'present') this.seen.add(SETTINGS_FILE);
    if (texts.policy.state === 'present') this.seen.add(POLICY_FILE);
    this.saveSeen();
    try {
      const ok = parsed ?? parseConfig(texts, this.opts.knownTools, seen);
      this.snap = Object.freeze({
        settings: deepFreeze(ok.settings),
        policy: ok.policy,
        revision,
        error: null,
      });
      if (!parsed)
        this.log.info(hadError ? 'settings are valid again; MCP re-enabled' : 'settings loaded', {
          revision,
        });
    } catch (err) {
      const error =
        err instanceof ConfigError
          ? err
          : new ConfigError([{ file: SETTINGS_FILE, field: '(file)', message: errorCode(err) }]);
      this.snap = Object.freeze({ settings: LOCKDOWN, policy: LOCKDOWN_POLICY, revision, error });
      this.log.error('settings are invalid; refusing all MCP requests until they are fixed', {
        problems: error.problems,
      });
    }
  }

  /**
   * Files known to have existed: the list on disk plus what this run has read. Re-read at each
   * install (only when a settings file changed), so a list deleted meanwhile is written again.
   */
  private seenFiles(): SeenFiles {
    this.seenOnDisk = readSeenFiles(this.opts.configDir);
    for (const f of this.seenOnDisk.files) this.seen.add(f);
    return { files: new Set(this.seen), unreadable: this.seenOnDisk.unreadable };
  }

  /**
   * Adds newly read files to settings-seen.txt: only when the list grows (flash), never over a list
   * that could not be read (it may hold names this run does not know). Runs in the background;
   * `load()` and `update()` wait for it.
   */
  private saveSeen(): void {
    const onDisk = this.seenOnDisk;
    if (!onDisk || onDisk.unreadable !== null || [...this.seen].every((f) => onDisk.files.has(f))) return;
    const files = new Set(this.seen);
    this.seenOnDisk = { files, unreadable: null };
    const path = join(this.opts.configDir, SEEN_FILE);
    this.seenWrite = this.seenWrite
      .then(() => writeFileAtomic(path, serializeSeenFiles(files), 0o600))
      .then(
        () => undefined,
        (err: unknown) => {
          // This run still remembers the files; only a restart after a deletion would miss it.
          this.log.error(`could not save ${SEEN_FILE}`, { err: errorCode(err) });
          this.seenOnDisk = onDisk;
        },
      );
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
