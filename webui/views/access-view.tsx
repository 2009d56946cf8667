import { useEffect, useState } from 'preact/hooks';
import { CONFIRM_MODES, type ConfirmMode, type FilterPreview, type PreviewRow } from '../api/types.js';
import {
  draft,
  tools,
  preview,
  previewProblems,
  previewError,
  previewing,
  loadAccess,
  editDraft,
  resetDraft,
} from '../models/access.js';
import { accessPatch, PATTERN_FIELDS, type PatternField } from '../models/access-draft.js';
import { saveSettings, settingsDoc, settingsError } from '../models/settings.js';
import { problemsFor, otherProblems } from '../problems.js';
import { FieldRow, errProps } from '../ui/field-row.js';
import { Notice } from '../ui/notice.js';
import type { SaveOutcome } from '../models/settings.js';

const fieldId = (f: string) => `umcp-${f.replace(/\./g, '-')}`;

/** What each pattern of one list matches now: `plex* → plex, plex-helper; db? → nothing`. */
function matchesText(rules: FilterPreview['rules'], field: string): string | null {
  const mine = rules.filter((r) => r.field.startsWith(`${field}[`));
  if (!mine.length) return null;
  return mine.map((r) => `${r.pattern} → ${r.matches.length ? r.matches.join(', ') : 'nothing'}`).join('; ');
}

function stateOf(r: PreviewRow): { text: string; cls: string; why: string } {
  if (!r.allowed) return { text: 'hidden', cls: 'umcp-bad', why: r.rule ?? '' };
  if (r.protected) return { text: 'protected', cls: 'umcp-warn', why: r.protectedRule ?? '' };
  return { text: 'visible', cls: 'umcp-good', why: '' };
}

function PreviewTable(props: { title: string; rows: PreviewRow[]; source?: string | undefined }) {
  return (
    <div class="umcp-scroll">
      <table class="umcp-table">
        <caption>{props.title}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">To clients</th>
            <th scope="col">Because of</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r) => {
            const s = stateOf(r);
            return (
              <tr key={r.name}>
                <td data-label="Name">{r.name}</td>
                <td data-label="To clients" class={s.cls}>
                  {s.text}
                </td>
                <td data-label="Because of">{s.why}</td>
              </tr>
            );
          })}
          {props.rows.length === 0 ? (
            <tr>
              <td colSpan={3}>{props.source && props.source !== 'ok' ? props.source : 'None found.'}</td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}

/** What clients may do: read-only, toolsets, confirmation modes, and the name rules with a live preview. */
export function AccessView() {
  useEffect(() => void loadAccess(), []);
  const [outcome, setOutcome] = useState<SaveOutcome | null>(null);
  const [saving, setSaving] = useState(false);
  const d = draft.value;
  const saved = settingsDoc.value?.settings;
  if (!d || !saved)
    return <Notice kind={settingsError.value ? 'error' : 'info'}>{settingsError.value ?? 'Loading…'}</Notice>;
  const problems = [...previewProblems.value, ...(outcome && !outcome.ok ? outcome.problems : [])];
  const invalid = previewProblems.value.length > 0;
  const t = tools.value;
  const setPattern = (f: PatternField, text: string) =>
    editDraft((x) => ({ ...x, patterns: { ...x.patterns, [f]: text } }), true);
  const setMode = (tool: string, mode: ConfirmMode | '') =>
    editDraft((x) => {
      const confirmModes = { ...x.confirmModes };
      if (mode === '') delete confirmModes[tool];
      else confirmModes[tool] = mode;
      return { ...x, confirmModes };
    }, false);
  const save = async (e: Event) => {
    e.preventDefault();
    if (invalid) return;
    setSaving(true);
    const out = await saveSettings(accessPatch(d, saved));
    setSaving(false);
    setOutcome(out);
    if (out.ok && settingsDoc.value) resetDraft(settingsDoc.value.settings);
  };
  const shownFields = ['readOnly', 'toolsets', 'confirmModes', ...PATTERN_FIELDS.map((p) => p.field)];
  return (
    <section aria-labelledby="umcp-access-h">
      <h2 id="umcp-access-h">Access</h2>
      <form noValidate onSubmit={(e) => void save(e)}>
        <dl class="umcp-form">
          <FieldRow
            id="umcp-readonly"
            label="Read-only"
            error={problemsFor(problems, 'readOnly')}
            hint="On: clients may only look; every tool that changes something is refused."
          >
            <select
              {...errProps('umcp-readonly', problemsFor(problems, 'readOnly'), true)}
              value={d.readOnly ? 'yes' : 'no'}
              onChange={(e) => editDraft((x) => ({ ...x, readOnly: e.currentTarget.value === 'yes' }), false)}
            >
              <option value="no">No</option>
              <option value="yes">Yes</option>
            </select>
          </FieldRow>
          <dt id="umcp-toolsets-label">Toolsets</dt>
          <dd>
            <fieldset class="umcp-checks" aria-labelledby="umcp-toolsets-label">
              {(t?.toolsets ?? []).map((ts) => (
                <label key={ts.id}>
                  <input
                    type="checkbox"
                    checked={d.toolsets.includes(ts.id)}
                    onChange={(e) => {
                      const on = e.currentTarget.checked;
                      editDraft(
                        (x) => ({
                          ...x,
                          toolsets: on ? [...x.toolsets, ts.id] : x.toolsets.filter((i) => i !== ts.id),
                        }),
                        false,
                      );
                    }}
                  />{' '}
                  {ts.title} <span class="umcp-hint">— {ts.description}</span>
                </label>
              ))}
            </fieldset>
            {problemsFor(problems, 'toolsets') ? (
              <p class="umcp-field-error">{problemsFor(problems, 'toolsets')}</p>
            ) : null}
          </dd>
        </dl>
        <h3>Confirmation per tool</h3>
        <p class="umcp-hint">
          none: runs at once; token: the client must repeat the call with a one-time code; approve: waits for
          you under Approvals.
        </p>
        <Notice kind="error">{problemsFor(problems, 'confirmModes')}</Notice>
        {t && t.tools.length ? (
          <div class="umcp-scroll">
            <table class="umcp-table umcp-modes">
              <caption class="umcp-sr">Confirmation mode of each tool that changes something</caption>
              <thead>
                <tr>
                  <th scope="col">Tool</th>
                  <th scope="col">Toolset</th>
                  <th scope="col">Confirmation</th>
                </tr>
              </thead>
              <tbody>
                {t.tools
                  .filter((tool) => !tool.readOnly)
                  .map((tool) => (
                    <tr key={tool.name}>
                      <th scope="row" data-label="Tool">
                        {tool.name}
                        {tool.title ? <span class="umcp-hint"> — {tool.title}</span> : null}
                      </th>
                      <td data-label="Toolset">{tool.toolset}</td>
                      <td>
                        <select
                          aria-label={`Confirmation for ${tool.name}`}
                          value={d.confirmModes[tool.name] ?? ''}
                          onChange={(e) => setMode(tool.name, e.currentTarget.value as ConfirmMode | '')}
                        >
                          <option value="">default ({tool.confirm.default})</option>
                          {CONFIRM_MODES.map((m) => (
                            <option key={m} value={m}>
                              {m}
                            </option>
                          ))}
                        </select>
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="umcp-hint">The tool list is not available from this version of the service.</p>
        )}
        <h3>Containers and VMs clients may see</h3>
        <p class="umcp-hint">
          One pattern per line: * matches any characters, ? one. An empty allow list allows every name; deny
          always wins. Protected ones are visible but cannot be changed.
        </p>
        <dl class="umcp-form">
          {PATTERN_FIELDS.map((p) => {
            const err = problemsFor(problems, p.field);
            const matches = invalid ? null : matchesText(preview.value?.rules ?? [], p.field);
            return (
              <FieldRow key={p.field} id={fieldId(p.field)} label={p.label} error={err} hint={matches}>
                <textarea
                  {...errProps(fieldId(p.field), err, !!matches)}
                  rows={3}
                  spellcheck={false}
                  value={d.patterns[p.field]}
                  onInput={(e) => setPattern(p.field, e.currentTarget.value)}
                />
              </FieldRow>
            );
          })}
        </dl>
        {otherProblems(problems, shownFields).map((p) => (
          <Notice kind="error" key={p.field + p.message}>
            {p.field}: {p.message}
          </Notice>
        ))}
        <div aria-live="polite" class="umcp-preview">
          <h3>Preview {previewing.value ? <span class="umcp-hint">(updating…)</span> : null}</h3>
          <Notice kind="error">{previewError.value}</Notice>
          {invalid ? (
            <Notice kind="error">
              Fix the patterns marked above; the preview shows the last valid rules.
            </Notice>
          ) : null}
          {preview.value ? (
            <>
              <PreviewTable
                title="Containers"
                rows={preview.value.containers}
                source={preview.value.sources?.docker}
              />
              <PreviewTable title="VMs" rows={preview.value.vms} source={preview.value.sources?.libvirt} />
            </>
          ) : null}
        </div>
        {outcome ? (
          outcome.ok ? (
            <Notice kind="ok">
              {outcome.changed.length ? `Saved: ${outcome.changed.join(', ')}.` : 'Nothing changed.'}
            </Notice>
          ) : (
            <Notice kind="error">{outcome.message}</Notice>
          )
        ) : null}
        {outcome?.ok && outcome.warnings.length ? (
          <Notice kind="info">{outcome.warnings.join(' ')}</Notice>
        ) : null}
        <div class="umcp-buttons">
          {/* Distinct keys: reusing one element would turn Reload into a submit button mid-click. */}
          {outcome && !outcome.ok && outcome.stale ? (
            <button
              key="reload"
              type="button"
              onClick={() => {
                setOutcome(null);
                void loadAccess();
              }}
            >
              Reload
            </button>
          ) : (
            <button key="apply" type="submit" disabled={saving || invalid}>
              Apply
            </button>
          )}
          <button
            type="button"
            onClick={() => {
              setOutcome(null);
              resetDraft(saved);
            }}
          >
            Reset
          </button>
        </div>
      </form>
    </section>
  );
}
