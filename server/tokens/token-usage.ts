import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../config/atomic-write.js';

export const USAGE_FILE = 'token-usage.json';

/**
 * Last-used times of tokens. They change on every request, so they live in the RAM state directory,
 * not in tokens.json on the flash drive; the sidecar flushes them every minute and on shutdown.
 */
export async function loadUsage(stateDir: string): Promise<Record<string, string>> {
  try {
    const data: unknown = JSON.parse(await readFile(join(stateDir, USAGE_FILE), 'utf8'));
    if (data && typeof data === 'object' && !Array.isArray(data)) {
      return Object.fromEntries(
        Object.entries(data).filter((e): e is [string, string] => typeof e[1] === 'string'),
      );
    }
  } catch {
    // Missing or unreadable: last-used times are informational, start afresh.
  }
  return {};
}

export async function saveUsage(stateDir: string, usage: Record<string, string>): Promise<void> {
  await writeFileAtomic(join(stateDir, USAGE_FILE), JSON.stringify(usage) + '\n', 0o600);
}
