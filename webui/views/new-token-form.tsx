import { useState } from 'preact/hooks';
import { SCOPES, type Problem, type Scope } from '../api/types.js';
import { createToken } from '../models/tokens.js';
import { problemsFor, otherProblems } from '../problems.js';
import { FieldRow, errProps } from '../ui/field-row.js';
import { Notice } from '../ui/notice.js';

/** Name, scope and expiry of a new token; hands the secret to `onCreated` (it is shown only once). */
export function NewTokenForm(props: {
  idPrefix: string;
  onCreated: (secret: string, name: string) => void;
  onCancel?: () => void;
}) {
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Scope>('read');
  const [expires, setExpires] = useState('90d');
  const [problems, setProblems] = useState<Problem[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = (f: string) => `${props.idPrefix}-${f}`;
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const out = await createToken({ name: name.trim(), scope, expires });
    setBusy(false);
    if (out.ok) {
      setProblems([]);
      setError(null);
      setName('');
      props.onCreated(out.created.secret, out.created.token.name);
    } else {
      setProblems(out.problems);
      setError(out.message);
    }
  };
  const err = (f: string) => problemsFor(problems, f);
  const rest = otherProblems(problems, ['name', 'scope', 'expires']);
  return (
    <form class="umcp-subform" noValidate onSubmit={(e) => void submit(e)} aria-label="New token">
      <Notice kind="error">{error && (problems.length === 0 || rest.length) ? error : null}</Notice>
      <dl class="umcp-form">
        <FieldRow
          id={id('name')}
          label="Name"
          error={err('name')}
          hint="Letters, digits, '.', '_' or '-', e.g. laptop-claude"
        >
          <input
            {...errProps(id('name'), err('name'), true)}
            type="text"
            maxLength={64}
            autocomplete="off"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </FieldRow>
        <FieldRow
          id={id('scope')}
          label="Scope"
          error={err('scope')}
          hint="read: look only; operate: start and stop; admin: also create and delete"
        >
          <select
            {...errProps(id('scope'), err('scope'), true)}
            value={scope}
            onChange={(e) => setScope(e.currentTarget.value as Scope)}
          >
            {SCOPES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </FieldRow>
        <FieldRow
          id={id('expires')}
          label="Expires"
          error={err('expires')}
          hint="30d, 12h, 8w, a date such as 2027-01-31, or never"
        >
          <input
            {...errProps(id('expires'), err('expires'), true)}
            type="text"
            maxLength={40}
            value={expires}
            onInput={(e) => setExpires(e.currentTarget.value)}
          />
        </FieldRow>
        <dt />
        <dd class="umcp-buttons">
          <button type="submit" disabled={busy}>
            Create
          </button>
          {props.onCancel ? (
            <button type="button" onClick={props.onCancel}>
              Cancel
            </button>
          ) : null}
        </dd>
      </dl>
    </form>
  );
}
