import type { Problem } from '../api/types.js';
import type { FormValues } from '../models/settings-fields.js';
import { problemsFor } from '../problems.js';
import { FieldRow, errProps } from '../ui/field-row.js';

/**
 * The power switch (POWER_TOOLS): system_reboot and system_shutdown are refused while it is off, which
 * it is in a fresh install. Kept in the form as "yes" / "no" like the other text-valued fields.
 */
export function withPowerSwitch(form: FormValues, settings: Record<string, unknown>): FormValues {
  return typeof settings.powerTools === 'boolean'
    ? { ...form, powerTools: settings.powerTools ? 'yes' : 'no' }
    : form;
}

/** The switch's part of the settings patch: only when it changed. */
export function powerSwitchPatch(form: FormValues, saved: FormValues): Record<string, unknown> {
  return form.powerTools !== undefined && form.powerTools !== saved.powerTools
    ? { powerTools: form.powerTools === 'yes' }
    : {};
}

export function PowerSwitch(props: {
  form: FormValues;
  problems: ReadonlyArray<Problem>;
  set: (field: string, value: string) => void;
}) {
  if (props.form.powerTools === undefined) return null;
  const id = 'umcp-set-powerTools';
  const err = problemsFor(props.problems, 'powerTools');
  return (
    <div>
      <h3>Power</h3>
      <dl class="umcp-form">
        <FieldRow
          id={id}
          label="Allow reboot and shutdown"
          error={err}
          hint="When on, admin tokens get system_reboot and system_shutdown (each still needs your approval). Unraid stops the array cleanly first, as the Reboot and Shutdown buttons do."
        >
          <input
            {...errProps(id, err, true)}
            type="checkbox"
            checked={props.form.powerTools === 'yes'}
            onChange={(e) => props.set('powerTools', e.currentTarget.checked ? 'yes' : 'no')}
          />
        </FieldRow>
      </dl>
    </div>
  );
}
