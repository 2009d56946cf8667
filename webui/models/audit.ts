import { signal } from '@preact/signals';
import type { AuditPage, AuditRecord, VerifyReport } from '../api/types.js';
import { api, messageOf } from './service.js';
import { auditParams, EMPTY_FILTERS, type AuditFilters } from './audit-query.js';

export const PAGE_SIZE = 50;

export const filters = signal<AuditFilters>(EMPTY_FILTERS);
export const page = signal<AuditPage | null>(null);
/** Cursors of the pages before the current one (the first page has none): "Newer" pops one. */
export const cursors = signal<Array<string | null>>([]);
export const auditError = signal<string | null>(null);
export const loading = signal(false);
export const selected = signal<AuditRecord | null>(null);
export const verify = signal<VerifyReport | null>(null);
export const verifyError = signal<string | null>(null);
export const verifying = signal(false);

let current: string | null = null;

async function fetchPage(cursor: string | null): Promise<boolean> {
  loading.value = true;
  try {
    const { data } = await api().get<AuditPage>('/audit', {
      ...auditParams(filters.value),
      limit: PAGE_SIZE,
      cursor,
    });
    page.value = data;
    auditError.value = null;
    current = cursor;
    return true;
  } catch (err) {
    auditError.value = messageOf(err);
    return false;
  } finally {
    loading.value = false;
  }
}

/** First page (newest) for the current filters. */
export async function search(): Promise<void> {
  selected.value = null;
  if (await fetchPage(null)) cursors.value = [];
}

export async function older(): Promise<void> {
  const next = page.value?.nextCursor;
  if (!next) return;
  const from = current;
  if (await fetchPage(next)) cursors.value = [...cursors.value, from];
}

export async function newer(): Promise<void> {
  const stack = cursors.value;
  if (!stack.length) return;
  if (await fetchPage(stack[stack.length - 1] ?? null)) cursors.value = stack.slice(0, -1);
}

export async function runVerify(): Promise<void> {
  verifying.value = true;
  try {
    verify.value = (await api().get<VerifyReport>('/audit/verify')).data;
    verifyError.value = null;
  } catch (err) {
    verifyError.value = messageOf(err);
  } finally {
    verifying.value = false;
  }
}

export function exportLink(format: 'ndjson' | 'csv'): string {
  return api().link('/audit/export', { format, ...auditParams(filters.value) });
}
