import type { z } from 'zod';
import { AdminError } from './admin-error.js';

/** Parses a request part with a zod schema; a failure is a 400 naming every field and what is wrong. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.infer<S> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => ({
    field: i.code === 'unrecognized_keys' ? i.keys.join(', ') : i.path.length ? i.path.map(String).join('.') : where,
    message: i.code === 'unrecognized_keys' ? 'unknown field' : i.message,
  }));
  throw new AdminError(400, `Invalid ${where}: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, problems);
}
