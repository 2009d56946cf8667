import type { z } from 'zod';

/** One line per problem, naming the argument: `"name": expected string, received number`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      if (i.code === 'unrecognized_keys')
        return `unknown argument${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')} (not in this tool's input schema)`;
      const where = i.path.length ? `"${i.path.join('.')}"` : 'arguments';
      return `${where}: ${i.message}`;
    })
    .join('; ');
}
