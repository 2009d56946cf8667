import { useEffect, useState } from 'preact/hooks';
import type { Problem } from '../api/types.js';
import {
  settingsDoc,
  settingsError,
  loadSettings,
  saveSettings,
  type SaveOutcome,
} from '../models/settings.js';
import {
  LISTENER_FIELDS,
  NUMBER_FIELDS,
  toForm,
  toPatch,
  type FormValues,
} from '../models/settings-fields.js';
import { status, loadStatus } from '../models/status.js';
import { otherProblems, problemsFor } from '../problems.js';
import { FieldRow, errProps } from '../ui/field-row.js';
import { Notice } from '../ui/notice.js';
import { powerSwitchPatch, withPowerSwitch } from '../models/power-switch.js';
import { PowerSwitch } from './power-switch.js';
import { ProtocolRows } from './protocol-rows.js';

const GROUPS = ['Sessions', 'Limits', 'Confirmations', 'Audit log'] as const;

/** The service settings not on the Access view, in the owner's units, saved against the loaded revision. */
export function SettingsView() {
  const [form, setForm] = useState<FormValues | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [outcome, setOutcome] = useState<SaveOutcome | null>(null);
  const [saving, setSaving] = useState(false);
  const reload = async () => {
    setOutcome(null);
    setProblems([]);
    const doc = await loadSettings();
    if (doc) setForm(withPowerSwitch(toForm(doc.settings), doc.settings));
  };
  useEffect(() => {
    void reload();
    void loadStatus();
  }, []);
  const doc = settingsDoc.value;
  if (!form || !doc)
    return <Notice kind={settingsError.value ? 'error' : 'info'}>{settingsError.value ?? 'Loading…'}</Notice>;
  const saved = withPowerSwitch(toForm(doc.settings), doc.settings);
  const set = (field: string, value: string) => setForm({ ...form, [field]: value });
  const save = async (e: Event) => {
    e.preventDefault();
    const { patch, problems: local } = toPatch(form, saved);
    Object.assign(patch, powerSwitchPatch(form, saved));
    if (local.length) {
      setProblems(local);
      setOutcome(null);
      return;
    }
    setSaving(true);
    const out = await saveSettings(patch);
    setSaving(false);
    setOutcome(out);
    setProblems(out.ok ? [] : out.problems);
    if (out.ok && settingsDoc.value)
      setForm(withPowerSwitch(toForm(settingsDoc.value.settings), settingsDoc.value.settings));
  };
  const mcp = status.value?.mcp;
  const numberRow = (n: (typeof NUMBER_FIELDS)[number]) => {
    const id = `umcp-set-${n.field}`;
    const err = problemsFor(problems, n.field);
    if (form[n.field] === undefined) return null;
    return (
      <FieldRow key={n.field} id={id} label={n.label} error={err} hint={`${n.unit}, ${n.min}–${n.max}`}>
        <input
          {...errProps(id, err, true)}
          type="text"
          inputMode="numeric"
          value={form[n.field]}
          onInput={(e) => set(n.field, e.currentTarget.value)}
        />
      </FieldRow>
    );
  };
  const hostsErr = problemsFor(problems, 'allowedHosts');
  const known = [
    'allowedHosts',
    'powerTools',
    'http',
    'https',
    'httpsPort',
    ...NUMBER_FIELDS.map((n) => n.field),
    ...LISTENER_FIELDS.map((l) => l.field),
  ];
  return (
    <section aria-labelledby="umcp-settings-h">
      <h2 id="umcp-settings-h">Settings</h2>
      {doc.problems.length ? (
        <div class="umcp-notice umcp-error" role="alert">
          The settings file has problems; the service uses its last valid settings until they are fixed:
          <ul>
            {doc.problems.map((p) => (
              <li key={p.field + p.message}>
                {p.field}: {p.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <form noValidate onSubmit={(e) => void save(e)}>
        <h3>Listener</h3>
        <dl class="umcp-form">
          {LISTENER_FIELDS.map((l) => {
            const id = `umcp-set-${l.field}`;
            const err = problemsFor(problems, l.field);
            const editable = form[l.field] !== undefined;
            const current =
              l.field === 'port' ? (mcp?.port !== undefined ? String(mcp.port) : '—') : (mcp?.bind ?? '—');
            return (
              <FieldRow
                key={l.field}
                id={id}
                label={l.label}
                error={err}
                hint={
                  !editable
                    ? `Set in the plugin\u2019s service configuration (${l.env}).`
                    : mcp?.setByEnvironment?.includes(l.env)
                      ? `${l.env} is set for this service and wins over this setting; listening now on ${current}.`
                      : `Applies when the service restarts; listening now on ${current}.`
                }
              >
                <input
                  {...errProps(id, err, true)}
                  type="text"
                  readOnly={!editable}
                  value={editable ? form[l.field] : current}
                  onInput={(e) => set(l.field, e.currentTarget.value)}
                />
              </FieldRow>
            );
          })}
          <ProtocolRows form={form} problems={problems} set={set} mcp={mcp} />
          <FieldRow
            id="umcp-set-hosts"
            label="Also accept host names"
            error={hostsErr}
            hint="One per line: names or addresses clients use to reach this server (e.g. tower.example.net), beyond its own."
          >
            <textarea
              {...errProps('umcp-set-hosts', hostsErr, true)}
              rows={3}
              spellcheck={false}
              value={form.allowedHosts ?? ''}
              onInput={(e) => set('allowedHosts', e.currentTarget.value)}
            />
          </FieldRow>
        </dl>
        {GROUPS.map((g) => (
          <div key={g}>
            <h3>{g}</h3>
            <dl class="umcp-form">{NUMBER_FIELDS.filter((n) => n.group === g).map(numberRow)}</dl>
          </div>
        ))}
        <PowerSwitch form={form} problems={problems} set={set} />
        {otherProblems(problems, known).map((p) => (
          <Notice kind="error" key={p.field + p.message}>
            {p.field}: {p.message}
          </Notice>
        ))}
        {outcome ? (
          outcome.ok ? (
            <Notice kind="ok">
              {outcome.changed.length ? `Saved: ${outcome.changed.join(', ')}.` : 'Nothing changed.'}
              {outcome.restartNeeded.length
                ? ` ${outcome.restartNeeded.join(' and ')} take effect when the service restarts; clients then use the new address.`
                : ''}
            </Notice>
          ) : (
            <Notice kind="error">{outcome.message}</Notice>
          )
        ) : null}
        <div class="umcp-buttons">
          {/* Distinct keys: reusing one element would turn Reload into a submit button mid-click. */}
          {outcome && !outcome.ok && outcome.stale ? (
            <button key="reload" type="button" onClick={() => void reload()}>
              Reload
            </button>
          ) : (
            <button key="apply" type="submit" disabled={saving}>
              Apply
            </button>
          )}
          <button type="button" onClick={() => void reload()}>
            Reset
          </button>
        </div>
      </form>
    </section>
  );
}
