import { render } from 'preact';
import { App } from './app.js';
import { initApi } from './models/service.js';
import { loadStatus } from './models/status.js';
import { pollWhileVisible } from './models/poll.js';
import './styles.css';

/**
 * Mounts into the .page's `#unraid-mcp-app`, which carries the bridge URL, the WebGUI's CSRF token
 * and the theme (see the page contract).
 */
const mount = document.getElementById('unraid-mcp-app');
if (mount) {
  const theme = mount.dataset.theme ?? 'white';
  mount.classList.add(
    'umcp-root',
    `umcp-theme-${/^(white|black|azure|gray)$/.test(theme) ? theme : 'white'}`,
  );
  initApi({
    api: mount.dataset.api ?? '/plugins/unraid-mcp/include/api.php',
    csrf: mount.dataset.csrf ?? '',
  });
  // The tab badge (pending approvals) and the not-running state stay current on every view.
  pollWhileVisible(loadStatus, 5000);
  render(<App />, mount);
}
