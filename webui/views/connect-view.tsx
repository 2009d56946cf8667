import { useEffect, useState } from 'preact/hooks';
import { status, loadStatus } from '../models/status.js';
import { clientConfigs } from '../models/client-configs.js';
import { CopyButton } from '../ui/copy-button.js';
import { FieldRow, errProps } from '../ui/field-row.js';
import { Notice } from '../ui/notice.js';
import { NewTokenForm } from './new-token-form.js';
import { HttpsNotes, preferredUrl } from './https-notes.js';

/** Where clients connect, and their configurations ready to paste with a token chosen here. */
export function ConnectView() {
  useEffect(() => void loadStatus(), []);
  const mcp = status.value?.mcp;
  const httpsUrls = mcp?.https?.urls ?? [];
  const urls = [...httpsUrls, ...(mcp?.urls ?? [])];
  const fallback = `http://${location.hostname}:${mcp?.port ?? 8765}/mcp`;
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const chosen = url || preferredUrl(httpsUrls, mcp?.urls ?? []) || fallback;
  return (
    <section aria-labelledby="umcp-connect-h">
      <h2 id="umcp-connect-h">Connect a client</h2>
      <dl class="umcp-form">
        <FieldRow id="umcp-url" label="Server address">
          {urls.length > 1 ? (
            <select
              {...errProps('umcp-url', null)}
              value={chosen}
              onChange={(e) => setUrl(e.currentTarget.value)}
            >
              {urls.map((u) => (
                <option key={u.url} value={u.url}>
                  {u.url}
                  {'selfSigned' in u && u.selfSigned ? ' (self-signed certificate)' : ''}
                </option>
              ))}
            </select>
          ) : (
            <input {...errProps('umcp-url', null)} type="text" readOnly value={chosen} />
          )}
          <HttpsNotes https={mcp?.https} chosen={chosen} />
        </FieldRow>
        <FieldRow
          id="umcp-secret"
          label="Token"
          hint="A token's secret is shown only when it is created. Paste one you kept, or create one here."
        >
          <input
            {...errProps('umcp-secret', null, true)}
            type="text"
            autocomplete="off"
            spellcheck={false}
            placeholder="umcp_…"
            value={secret}
            onInput={(e) => {
              setSecret(e.currentTarget.value);
              setCreated(null);
            }}
          />
          {!creating ? (
            <span>
              <button type="button" onClick={() => setCreating(true)}>
                Create a token
              </button>
            </span>
          ) : null}
        </FieldRow>
      </dl>
      {creating ? (
        <NewTokenForm
          idPrefix="umcp-connect-new"
          onCreated={(s, name) => {
            setSecret(s);
            setCreated(name);
            setCreating(false);
          }}
          onCancel={() => setCreating(false)}
        />
      ) : null}
      {created && secret ? (
        <Notice kind="ok">
          Token {created} created. Its secret is in the configurations below and is shown only this once: copy
          one now.
        </Notice>
      ) : null}
      <Notice kind="info">
        {secret ? null : 'The configurations below show umcp_… until you paste or create a token.'}
      </Notice>
      {clientConfigs(chosen, secret).map((c) => (
        <div class="umcp-config" key={c.id}>
          <h3 id={`umcp-cfg-${c.id}`}>{c.title}</h3>
          <p class="umcp-hint">{c.where}</p>
          <pre aria-labelledby={`umcp-cfg-${c.id}`} tabIndex={0}>
            {c.text}
          </pre>
          <CopyButton text={c.text} label={`Copy the ${c.title} configuration`} />
        </div>
      ))}
    </section>
  );
}
