/**
 * Saving settings failed part-way. `restored` says whether the files were put back to their previous
 * content (so the pair is as before the update); when false, `unraid-mcp config check` tells what the
 * files hold now, and the store has reloaded whatever is on disk.
 */
export class SettingsWriteError extends Error {
  override readonly name = 'SettingsWriteError';
  constructor(
    readonly file: string,
    readonly restored: boolean,
    cause: unknown,
    detail = '',
  ) {
    super(
      `could not save ${file}: ${errorCode(cause)}; ` +
        (restored
          ? 'no setting was changed (files restored to their previous content)'
          : `the previous content could not be restored either${detail ? ` (${detail})` : ''}: run "unraid-mcp config check"`),
      { cause },
    );
  }
}

export function errorCode(err: unknown): string {
  return (
    (err as NodeJS.ErrnoException | undefined)?.code ?? (err instanceof Error ? err.message : String(err))
  );
}
