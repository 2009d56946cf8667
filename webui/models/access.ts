import { signal } from '@preact/signals';
import type { FilterPreview, Problem, Settings, ToolsInfo } from '../api/types.js';
import { ApiError } from '../api/client.js';
import { api, messageOf } from './service.js';
import { draftFrom, rulesOf, type AccessDraft } from './access-draft.js';
import { loadSettings, settingsDoc } from './settings.js';

export const draft = signal<AccessDraft | null>(null);
export const tools = signal<ToolsInfo | null>(null);
export const preview = signal<FilterPreview | null>(null);
/** The sidecar's problems with the draft rules; the draft can be saved only when there are none. */
export const previewProblems = signal<Problem[]>([]);
export const previewError = signal<string | null>(null);
export const previewing = signal(false);

/** Toolsets when the sidecar has no GET /tools yet. */
const KNOWN_TOOLSETS: ToolsInfo['toolsets'] = [
  {
    id: 'system',
    title: 'Server health',
    description: 'CPU, memory, temperatures, array, disks and shares (read-only).',
    enabled: true,
  },
  { id: 'docker', title: 'Docker', description: 'Containers, images and networks.', enabled: true },
  { id: 'vm', title: 'Virtual machines', description: 'libvirt VMs.', enabled: true },
];

export async function loadAccess(): Promise<void> {
  const doc = await loadSettings();
  if (!doc) return;
  draft.value = draftFrom(doc.settings);
  try {
    tools.value = (await api().get<ToolsInfo>('/tools')).data;
  } catch {
    tools.value = { toolsets: KNOWN_TOOLSETS, tools: [] };
  }
  await runPreview();
}

export function resetDraft(s: Settings): void {
  draft.value = draftFrom(s);
  void runPreview();
}

let seq = 0;

/** Asks the sidecar what the draft rules do to the containers and VMs that exist now. */
export async function runPreview(): Promise<void> {
  const d = draft.value;
  if (!d) return;
  const mine = ++seq;
  previewing.value = true;
  try {
    const { data } = await api().send<FilterPreview>('/filters/preview', 'POST', rulesOf(d));
    if (mine !== seq) return;
    preview.value = data;
    previewProblems.value = [];
    previewError.value = null;
  } catch (err) {
    if (mine !== seq) return;
    if (err instanceof ApiError && err.status === 400 && err.problems.length) {
      previewProblems.value = err.problems;
      previewError.value = null;
    } else {
      previewError.value = messageOf(err);
    }
  } finally {
    if (mine === seq) previewing.value = false;
  }
}

let timer: ReturnType<typeof setTimeout> | undefined;

/** Changes the draft and previews it once typing pauses for 250 ms. */
export function editDraft(change: (d: AccessDraft) => AccessDraft, rulesChanged: boolean): void {
  if (!draft.value) return;
  draft.value = change(draft.value);
  if (!rulesChanged) return;
  if (timer !== undefined) clearTimeout(timer);
  timer = setTimeout(() => void runPreview(), 250);
}

export const savedSettings = () => settingsDoc.value?.settings ?? null;
