import { signal } from '@preact/signals';
import { parseHash, type ViewId } from './routes.js';

/** The view the URL hash names; follows back/forward and links such as the dashboard tile's #approvals. */
export const view = signal<ViewId>(parseHash(location.hash));

window.addEventListener('hashchange', () => {
  view.value = parseHash(location.hash);
});
