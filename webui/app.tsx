import type { JSX } from 'preact';
import { VIEWS, type ViewId } from './routes.js';
import { view } from './router.js';
import { serviceRunning, starting, startError, startService } from './models/service.js';
import { status, loadStatus } from './models/status.js';
import { Notice } from './ui/notice.js';
import { StatusView } from './views/status-view.js';
import { ConnectView } from './views/connect-view.js';
import { TokensView } from './views/tokens-view.js';
import { AccessView } from './views/access-view.js';
import { ApprovalsView } from './views/approvals-view.js';
import { AuditView } from './views/audit-view.js';
import { SettingsView } from './views/settings-view.js';

const COMPONENTS: Record<ViewId, () => JSX.Element> = {
  status: StatusView,
  connect: ConnectView,
  tokens: TokensView,
  access: AccessView,
  approvals: ApprovalsView,
  audit: AuditView,
  settings: SettingsView,
};

/** The bridge found no admin socket: say so plainly and offer to start the service. */
function NotRunning() {
  return (
    <section class="umcp-card" aria-labelledby="umcp-down-h">
      <h2 id="umcp-down-h">The unraid-mcp service is not running</h2>
      <p>Clients cannot connect and nothing here can be shown or changed until it runs.</p>
      <Notice kind="error">{startError.value}</Notice>
      <div class="umcp-buttons">
        <button type="button" disabled={starting.value} onClick={() => void startService(loadStatus)}>
          {starting.value ? 'Starting…' : 'Start'}
        </button>
      </div>
    </section>
  );
}

export function App() {
  const current = view.value;
  const View = COMPONENTS[current];
  const waiting = status.value?.pendingConfirmations ?? 0;
  return (
    <div class="umcp">
      <nav class="umcp-tabs" aria-label="unraid-mcp">
        {VIEWS.map((v) => (
          <a key={v.id} href={`#${v.id}`} aria-current={v.id === current ? 'page' : undefined}>
            {v.title}
            {v.id === 'approvals' && waiting > 0 ? <span class="umcp-badge"> {waiting}</span> : null}
          </a>
        ))}
      </nav>
      <main class="umcp-body">{serviceRunning.value ? <View key={current} /> : <NotRunning />}</main>
    </div>
  );
}
