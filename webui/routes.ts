/** The page's views, chosen by the URL hash (`#approvals`); the dashboard tile links to `#approvals`. */
export const VIEWS = [
  { id: 'status', title: 'Status' },
  { id: 'connect', title: 'Connect' },
  { id: 'tokens', title: 'Tokens' },
  { id: 'access', title: 'Access' },
  { id: 'approvals', title: 'Approvals' },
  { id: 'audit', title: 'Audit' },
  { id: 'settings', title: 'Settings' },
] as const;

export type ViewId = (typeof VIEWS)[number]['id'];

/** `#tokens` → tokens; an empty or unknown hash is the Status view. Anything after `/` or `?` is ignored. */
export function parseHash(hash: string): ViewId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0]!.toLowerCase();
  return VIEWS.find((v) => v.id === id)?.id ?? 'status';
}
