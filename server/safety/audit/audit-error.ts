/**
 * The audit log could not take a record. The message names the directory and the cause in words an
 * owner can act on; callers refuse to act when an intent cannot be recorded.
 */
export class AuditWriteError extends Error {
  override readonly name = 'AuditWriteError';
  constructor(
    message: string,
    /** errno code of the underlying failure (ENOSPC, EROFS, EACCES, EIO…), when there was one. */
    readonly code: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Wraps a file-system error: "audit log in DIR cannot be written: the disk is full (ENOSPC)". */
  static from(err: unknown, dir: string, what = 'cannot be written'): AuditWriteError {
    if (err instanceof AuditWriteError) return err;
    const code = (err as NodeJS.ErrnoException | null)?.code ?? null;
    return new AuditWriteError(`audit log in ${dir} ${what}: ${describe(code, err)}`, code, { cause: err });
  }
}

function describe(code: string | null, err: unknown): string {
  switch (code) {
    case 'ENOSPC':
      return 'the disk is full (ENOSPC)';
    case 'EDQUOT':
      return 'the disk quota is exhausted (EDQUOT)';
    case 'EROFS':
      return 'the file system is read-only (EROFS)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'EIO':
      return 'an I/O error occurred (EIO); check the disk';
    case 'ENOTDIR':
      return 'part of the path is not a directory (ENOTDIR)';
    case 'ENOENT':
      return 'the directory has disappeared (ENOENT); was the array stopped?';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
