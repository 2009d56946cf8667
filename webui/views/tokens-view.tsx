import { useEffect, useState } from 'preact/hooks';
import { tokens, tokensError, loadTokens, revokeToken } from '../models/tokens.js';
import { formatAgo, formatTime } from '../format.js';
import { ConfirmDialog } from '../ui/confirm-dialog.js';
import { CopyButton } from '../ui/copy-button.js';
import { Notice } from '../ui/notice.js';
import { NewTokenForm } from './new-token-form.js';

/** Tokens: who may connect. The secret of a new one is shown here once, never again. */
export function TokensView() {
  useEffect(() => void loadTokens(), []);
  const [fresh, setFresh] = useState<{ name: string; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const list = tokens.value;
  const now = Date.now();
  const revoke = async () => {
    if (!revoking) return;
    setBusy(true);
    const err = await revokeToken(revoking);
    setBusy(false);
    setMessage(
      err
        ? { kind: 'error', text: err }
        : { kind: 'ok', text: `Token ${revoking} revoked: clients using it are refused from now on.` },
    );
    if (fresh?.name === revoking) setFresh(null);
    setRevoking(null);
  };
  return (
    <section aria-labelledby="umcp-tokens-h">
      <h2 id="umcp-tokens-h">Tokens</h2>
      <Notice kind="error">{tokensError.value}</Notice>
      {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
      <div class="umcp-scroll">
        <table class="umcp-table">
          <caption class="umcp-sr">Tokens</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scope</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <th scope="col">
                <span class="umcp-sr">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list?.map((t) => (
              <tr key={t.name}>
                <td data-label="Name">{t.name}</td>
                <td data-label="Scope">{t.scope}</td>
                <td data-label="Created">{formatTime(t.created)}</td>
                <td data-label="Last used">{formatAgo(t.lastUsed, now)}</td>
                <td data-label="Expires" class={t.expired ? 'umcp-bad' : undefined}>
                  {t.expires ? `${formatTime(t.expires)}${t.expired ? ' (expired)' : ''}` : 'never'}
                </td>
                <td>
                  <button
                    type="button"
                    class="umcp-small"
                    aria-label={`Revoke ${t.name}`}
                    onClick={() => setRevoking(t.name)}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
            {list && list.length === 0 ? (
              <tr>
                <td colSpan={6}>No tokens yet: create one below to connect a client.</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      {fresh ? (
        <div class="umcp-secret" role="status">
          <p>
            <strong>Copy the secret of {fresh.name} now: it is shown only this once.</strong> Anyone who has
            it can use the server with this token's scope. If you lose it, revoke the token and create
            another.
          </p>
          <code class="umcp-secret-text">{fresh.secret}</code>{' '}
          <CopyButton text={fresh.secret} label={`Copy the secret of ${fresh.name}`} />
          <p>
            <a href="#connect">Connect a client with it</a>{' '}
            <button type="button" class="umcp-small" onClick={() => setFresh(null)}>
              Done
            </button>
          </p>
        </div>
      ) : null}
      <h3>Create a token</h3>
      <NewTokenForm idPrefix="umcp-new" onCreated={(secret, name) => setFresh({ name, secret })} />
      {revoking ? (
        <ConfirmDialog
          title={`Revoke ${revoking}?`}
          confirmLabel="Revoke"
          busy={busy}
          onConfirm={() => void revoke()}
          onCancel={() => setRevoking(null)}
        >
          <p>Clients using this token are refused at once. This cannot be undone.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
