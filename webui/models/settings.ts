import { signal } from '@preact/signals';
import type { Problem, SettingsDoc } from '../api/types.js';
import { ApiError } from '../api/client.js';
import { api, messageOf } from './service.js';

/** The settings as last loaded or saved, with the revision a save must match (If-Match). */
export const settingsDoc = signal<SettingsDoc | null>(null);
export const settingsError = signal<string | null>(null);

export async function loadSettings(): Promise<SettingsDoc | null> {
  try {
    const { data, etag } = await api().get<SettingsDoc>('/settings');
    settingsDoc.value = { ...data, revision: data.revision ?? etag ?? '' };
    settingsError.value = null;
    return settingsDoc.value;
  } catch (err) {
    settingsError.value = messageOf(err);
    return null;
  }
}

export type SaveOutcome =
  /** `restartNeeded`: saved settings the service applies only when it restarts (port, bind). */
  | { ok: true; changed: string[]; warnings: string[]; restartNeeded: string[] }
  /** `stale`: someone else saved since this page loaded them (409); offer Reload, never overwrite. */
  | { ok: false; stale: boolean; message: string; problems: Problem[] };

/** Saves a patch against the loaded revision. */
export async function saveSettings(patch: Record<string, unknown>): Promise<SaveOutcome> {
  const revision = settingsDoc.value?.revision;
  try {
    const { data } = await api().send<
      SettingsDoc & { changed: string[]; warnings: unknown[]; restartNeeded?: string[] }
    >('/settings', 'PUT', patch, revision || undefined);
    settingsDoc.value = { settings: data.settings, revision: data.revision, problems: [] };
    return {
      ok: true,
      changed: data.changed ?? [],
      restartNeeded: data.restartNeeded ?? [],
      warnings: (data.warnings ?? []).map((w) => (typeof w === 'string' ? w : JSON.stringify(w))),
    };
  } catch (err) {
    const stale = err instanceof ApiError && err.status === 409;
    return {
      ok: false,
      stale,
      message: stale
        ? 'Someone else changed these settings since this page loaded them. Reload to see their changes; your edits here were not saved.'
        : messageOf(err),
      problems: err instanceof ApiError ? err.problems : [],
    };
  }
}
