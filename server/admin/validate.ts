import type { z } from 'zod';
import { AdminError } from './admin-error.js';
import { fieldPath } from '../config/field-path.js';

/** Parses a request part with a zod schema; a failure is a 400 naming every field and what is wrong. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.infer<S> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  // One problem per unknown key, each with its full path (the same field style as the settings files).
  const problems = parsed.error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ field: fieldPath([...i.path, k]), message: 'unknown field' }))
      : [{ field: i.path.length ? fieldPath(i.path) : where, message: i.message }],
  );
  throw new AdminError(
    400,
    `Invalid ${where}: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
    problems,
  );
}
