import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { status, statusError, loadStatus } from '../models/status.js';
import { formatDuration } from '../format.js';
import { Notice } from '../ui/notice.js';

function Row(props: { label: string; children: ComponentChildren }) {
  return (
    <>
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </>
  );
}

/** Running or not and why, where clients connect, who is connected, what waits for the owner. */
export function StatusView() {
  useEffect(() => void loadStatus(), []);
  const s = status.value;
  if (!s)
    return <Notice kind={statusError.value ? 'error' : 'info'}>{statusError.value ?? 'Loading…'}</Notice>;
  const serving = s.mcp?.serving ?? true;
  const settingsBad = s.settings && !s.settings.valid;
  const down = Object.entries(s.backends).filter(([, b]) => !b.up);
  // HTTPS first, as the Connect view offers them: it is what Claude Desktop and the myunraid.net name need.
  const https = s.mcp?.https;
  const urls = [
    ...(https?.serving ? https.urls : []),
    ...(s.mcp?.urls ?? []).map((u) => ({ ...u, selfSigned: false })),
  ];
  const clients = s.sessions.clients ?? [];
  return (
    <section aria-labelledby="umcp-status-h">
      <h2 id="umcp-status-h">Status</h2>
      <Notice kind="error">{statusError.value}</Notice>
      <dl class="umcp-form">
        <Row label="Service">
          <span class={serving && !settingsBad ? 'umcp-good' : 'umcp-bad'}>
            {serving ? 'Running' : 'Not serving MCP'}
          </span>
          {s.mcp?.reason ? <span> — {s.mcp.reason}</span> : null}
          {settingsBad ? (
            <div class="umcp-bad">
              The settings file is invalid{s.settings?.file ? ` (${s.settings.file})` : ''}:
              <ul>
                {s.settings!.problems.map((p) => (
                  <li key={p.field + p.message}>
                    {p.field}: {p.message}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </Row>
        <Row label="Version">
          {s.version} (up {formatDuration(s.uptimeSeconds)})
        </Row>
        <Row label="MCP URL">
          {urls.length ? (
            <ul class="umcp-plain">
              {urls.map((u) => (
                <li key={u.url}>
                  <code>{u.url}</code>
                  {u.selfSigned ? ' (self-signed certificate)' : null}
                </li>
              ))}
            </ul>
          ) : (
            '—'
          )}
          {https?.enabled && !https.serving && https.reason ? (
            <div class="umcp-bad">HTTPS is off: {https.reason}</div>
          ) : null}
          <a href="#connect">Connect a client</a>
        </Row>
        <Row label="Backends">
          {Object.entries(s.backends).map(([name, b]) => (
            <div key={name}>
              {name}: <span class={b.up ? 'umcp-good' : 'umcp-bad'}>{b.up ? 'up' : 'down'}</span>
              {b.reason ? ` — ${b.reason}` : ''}
            </div>
          ))}
          {down.length === 0 && Object.keys(s.backends).length === 0 ? '—' : null}
        </Row>
        <Row label="Read-only">{s.readOnly ? 'Yes: only reading tools run' : 'No'}</Row>
        <Row label="Sessions now">
          {s.sessions.active}
          {clients.length ? (
            <ul class="umcp-plain">
              {clients.map((c) => (
                <li key={`${c.name}/${c.version}/${c.token}`}>
                  {c.name}
                  {c.version ? ` ${c.version}` : ''} with token {c.token} ({c.sessions} session
                  {c.sessions === 1 ? '' : 's'})
                </li>
              ))}
            </ul>
          ) : null}
        </Row>
        <Row label="Calls in the last hour">{s.calls ? String(s.calls.lastHour) : '—'}</Row>
        <Row label="Pending approvals">
          {s.pendingConfirmations > 0 ? <a href="#approvals">{s.pendingConfirmations} waiting</a> : 'None'}
        </Row>
        <Row label="Audit log">
          {s.audit ? (
            <>
              <span class={s.audit.ok ? 'umcp-good' : 'umcp-bad'}>
                {s.audit.ok ? 'OK' : 'Needs attention'}
              </span>
              {` — ${s.audit.seq} records, ${s.audit.persistent ? 'on persistent storage' : 'in RAM (lost at reboot)'}`}
              {!s.audit.persistent && s.storage?.problem ? `: ${s.storage.problem}` : null}
              {s.audit.unavailable ? (
                <div class="umcp-bad">Calls refused: {s.audit.unavailable.message}</div>
              ) : null}
              {s.audit.lastError ? <div class="umcp-bad">Last write error: {s.audit.lastError}</div> : null}
              {s.audit.incidents.map((i) => (
                <div key={i.time + i.kind} class="umcp-bad">
                  {i.message}
                </div>
              ))}{' '}
              <a href="#audit">Open the audit log</a>
            </>
          ) : (
            '—'
          )}
        </Row>
      </dl>
    </section>
  );
}
