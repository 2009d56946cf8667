import type { Problem } from '../api/types.js';
import type { FormValues } from '../models/settings-fields.js';
import { problemsFor } from '../problems.js';
import { FieldRow, errProps } from '../ui/field-row.js';

/** The Settings view's row for the power switch (see models/power-switch.ts). */
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
