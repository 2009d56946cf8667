/**
 * An admin write based on settings that have changed since they were read (another admin session,
 * a hand edit). Nothing was written; the caller reloads, reapplies its change and tries again.
 * Lives here rather than in server/errors because only the settings store throws it.
 */
export class SettingsConflictError extends Error {
  override readonly name = 'SettingsConflictError';
  constructor(
    readonly expectedRevision: string,
    readonly currentRevision: string,
  ) {
    super(
      `the settings changed since revision ${expectedRevision} was read (now ${currentRevision}); reload them and apply the change again`,
    );
  }
}
