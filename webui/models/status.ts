import { signal } from '@preact/signals';
import type { StatusInfo } from '../api/types.js';
import { api, messageOf } from './service.js';

export const status = signal<StatusInfo | null>(null);
export const statusError = signal<string | null>(null);

export async function loadStatus(): Promise<void> {
  try {
    status.value = (await api().get<StatusInfo>('/status')).data;
    statusError.value = null;
  } catch (err) {
    statusError.value = messageOf(err);
  }
}
