import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Confirmation } from '../api/types.js';
import { pending, approvalsError, now, lastDecision, loadPending, decide } from '../models/approvals.js';
import { pollWhileVisible } from '../models/poll.js';
import { formatCountdown, formatJson, formatTime } from '../format.js';
import { Notice } from '../ui/notice.js';

function ApprovalCard({ c }: { c: Confirmation }) {
  const [denying, setDenying] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const reasonRef = useRef<HTMLInputElement>(null);
  // In the same task as the click, so what the owner types next goes into the reason.
  useLayoutEffect(() => {
    if (denying) reasonRef.current?.focus();
  }, [denying]);
  const id = `umcp-appr-${c.id}`;
  const act = async (decision: 'approve' | 'deny') => {
    setBusy(true);
    setError(await decide(c, decision, reason));
    setBusy(false);
  };
  return (
    <article class="umcp-card" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>
        {c.tool}
        {c.target ? ` on ${c.target.kind} ${c.target.name}` : ''}
      </h3>
      <p class="umcp-approval-text">{c.description}</p>
      <dl class="umcp-form">
        <dt>Asked by</dt>
        <dd>
          token {c.principal}
          {c.client ? `, client ${c.client.name} ${c.client.version}` : ''}
        </dd>
        <dt>Asked at</dt>
        <dd>{formatTime(c.createdAt)}</dd>
        <dt>Expires in</dt>
        <dd>
          <span class="umcp-countdown">{formatCountdown(c.expiresAt, now.value)}</span>
        </dd>
        <dt>Arguments</dt>
        <dd>
          <pre tabIndex={0} aria-label="Arguments">
            {formatJson(c.args)}
          </pre>
        </dd>
      </dl>
      <Notice kind="error">{error}</Notice>
      {denying ? (
        <div class="umcp-deny">
          <label for={`${id}-reason`}>Reason (the client is told)</label>
          <input
            id={`${id}-reason`}
            type="text"
            maxLength={500}
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') setDenying(false);
            }}
            ref={reasonRef}
          />
          <div class="umcp-buttons">
            <button type="button" class="umcp-danger" disabled={busy} onClick={() => void act('deny')}>
              Deny
            </button>
            <button type="button" onClick={() => setDenying(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div class="umcp-buttons">
          <button type="button" disabled={busy} onClick={() => void act('approve')}>
            Approve
          </button>
          <button type="button" disabled={busy} onClick={() => setDenying(true)}>
            Deny…
          </button>
        </div>
      )}
    </article>
  );
}

/** What waits for the owner's approval, live: polled every second while the page is visible. */
export function ApprovalsView() {
  useEffect(() => pollWhileVisible(loadPending, 1000), []);
  const list = pending.value;
  return (
    <section aria-labelledby="umcp-approvals-h">
      <h2 id="umcp-approvals-h">Approvals</h2>
      <Notice kind="error">{approvalsError.value}</Notice>
      <Notice kind="ok">{lastDecision.value}</Notice>
      {list === null ? <Notice kind="info">Loading…</Notice> : null}
      {list?.length === 0 ? <p>Nothing is waiting for your approval.</p> : null}
      {list?.map((c) => (
        <ApprovalCard key={c.id} c={c} />
      ))}
    </section>
  );
}
