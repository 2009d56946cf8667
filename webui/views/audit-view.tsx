import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import type { AuditRecord } from '../api/types.js';
import {
  filters,
  page,
  cursors,
  auditError,
  loading,
  selected,
  verify,
  verifyError,
  verifying,
  search,
  older,
  newer,
  runVerify,
  exportLink,
} from '../models/audit.js';
import {
  outcomeText,
  partialText,
  targetText,
  toolText,
  verifyText,
  type AuditFilters,
} from '../models/audit-query.js';
import { formatJson, formatTime } from '../format.js';
import { Notice } from '../ui/notice.js';

const FILTER_FIELDS: Array<{ key: keyof AuditFilters; label: string; type?: string; placeholder?: string }> =
  [
    { key: 'q', label: 'Search', placeholder: 'any text in the record' },
    { key: 'tool', label: 'Tool', placeholder: 'docker_stop' },
    { key: 'target', label: 'Target', placeholder: 'plex' },
    { key: 'principal', label: 'Token', placeholder: 'token name, webgui, cli' },
    { key: 'from', label: 'From', type: 'datetime-local' },
    { key: 'to', label: 'Until', type: 'datetime-local' },
  ];

function Detail({ r }: { r: AuditRecord }) {
  const heading = useRef<HTMLHeadingElement>(null);
  // The detail opens above the table: move focus (and the view) to it.
  useEffect(() => heading.current?.focus(), [r.id]);
  return (
    <div class="umcp-card" aria-labelledby="umcp-audit-detail-h">
      <h3 id="umcp-audit-detail-h" tabIndex={-1} ref={heading}>
        Record {r.seq}: {r.tool ?? r.event ?? r.stage}
      </h3>
      <pre tabIndex={0} aria-label={`Record ${r.seq}`}>
        {formatJson(r)}
      </pre>
      <button type="button" onClick={() => (selected.value = null)}>
        Close
      </button>
    </div>
  );
}

/** The audit log: newest first, searched and paged by the sidecar, with the chain check and exports. */
export function AuditView() {
  // Each visit shows the newest records for the filters kept from the last one.
  // Ask for the first page as soon as the view exists, not after the browser has painted it: on a
  // big log the page waits for that answer, and the paint would sit in front of it (about 100 ms).
  useLayoutEffect(() => void search(), []);
  const f = filters.value;
  const set = (key: keyof AuditFilters, value: string) =>
    (filters.value = { ...filters.value, [key]: value });
  const records = page.value?.records ?? [];
  return (
    <section aria-labelledby="umcp-audit-h">
      <h2 id="umcp-audit-h">Audit log</h2>
      <form
        class="umcp-filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        {FILTER_FIELDS.map((ff) => (
          <label key={ff.key}>
            <span>{ff.label}</span>
            <input
              type={ff.type ?? 'text'}
              placeholder={ff.placeholder}
              value={f[ff.key]}
              onInput={(e) => set(ff.key, e.currentTarget.value)}
            />
          </label>
        ))}
        <label>
          <span>Outcome</span>
          <select value={f.outcome} onChange={(e) => set('outcome', e.currentTarget.value)}>
            <option value="">any</option>
            <option value="ok">ok</option>
            <option value="error">error</option>
            <option value="denied">denied</option>
          </select>
        </label>
        <div class="umcp-buttons">
          <button type="submit" disabled={loading.value}>
            Search
          </button>
          <a class="umcp-button" href={exportLink('ndjson')} download>
            Export NDJSON
          </a>
          <a class="umcp-button" href={exportLink('csv')} download>
            Export CSV
          </a>
        </div>
      </form>
      <Notice kind="error">{auditError.value}</Notice>
      {selected.value ? <Detail r={selected.value} /> : null}
      <div class="umcp-scroll">
        <table class="umcp-table umcp-audit" aria-busy={loading.value}>
          <caption class="umcp-sr">Audit records, newest first</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time</th>
              <th scope="col">Token</th>
              <th scope="col">Tool or event</th>
              <th scope="col">Target</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {records.map((r) => (
              <tr key={r.id} class={selected.value?.id === r.id ? 'umcp-selected' : undefined}>
                <td data-label="#">
                  <button
                    type="button"
                    class="umcp-link"
                    aria-label={`Show record ${r.seq}`}
                    onClick={() => (selected.value = r)}
                  >
                    {r.seq}
                  </button>
                </td>
                <td data-label="Time">{formatTime(r.time)}</td>
                <td data-label="Token">{r.principal}</td>
                <td data-label="Tool or event">{toolText(r)}</td>
                <td data-label="Target">{targetText(r) || null}</td>
                <td data-label="Outcome">{outcomeText(r) || null}</td>
              </tr>
            ))}
            {page.value && records.length === 0 ? (
              <tr>
                <td colSpan={6}>No records match.</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      {page.value ? <Notice kind="info">{partialText(page.value)}</Notice> : null}
      <div class="umcp-buttons">
        <button
          type="button"
          disabled={loading.value || cursors.value.length === 0}
          onClick={() => void newer()}
        >
          Newer
        </button>
        <button
          type="button"
          disabled={loading.value || !page.value?.nextCursor}
          onClick={() => void older()}
        >
          Older
        </button>
      </div>
      <h3>Chain check</h3>
      <p class="umcp-hint">
        Every record carries the hash of the one before it: an edited or removed record breaks the chain.
      </p>
      <div class="umcp-buttons">
        <button type="button" disabled={verifying.value} onClick={() => void runVerify()}>
          {verifying.value ? 'Verifying…' : 'Verify'}
        </button>
      </div>
      <Notice kind="error">{verifyError.value}</Notice>
      {verify.value ? (
        <Notice kind={verify.value.ok ? 'ok' : 'error'}>
          <span class="umcp-verify">{verifyText(verify.value)}</span>
        </Notice>
      ) : null}
      {verify.value?.incidents.map((i) => (
        <Notice kind="error" key={`${i.seq}`}>
          Record {i.seq} ({formatTime(i.time)}): {i.message}
        </Notice>
      ))}
    </section>
  );
}
