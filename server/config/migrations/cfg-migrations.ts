/**
 * A change to unraid-mcp.cfg that a new version makes to the file an older version wrote: a key
 * renamed, a value given a new form, a default that must not change under an existing install.
 */
export interface CfgMigration {
  /** 1, 2, 3 … in the order they were added; config-version records the highest one applied. Never reused. */
  id: number;
  /** What it changes, in the owner's words, for the log. */
  summary: string;
  /**
   * The new cfg text from the old (null: there is no file). Must return text it already migrated
   * unchanged: a crash between writing the cfg and writing config-version runs it again.
   */
  apply(text: string | null): string | null;
}

/**
 * Every migration, oldest first. Empty so far: no version has yet changed a key of unraid-mcp.cfg.
 * Add one here (with the helpers of cfg-edits.ts) whenever a change would make an older cfg invalid
 * or mean something else; it runs once, at the first start of the new version.
 */
export const CFG_MIGRATIONS: ReadonlyArray<CfgMigration> = [];
