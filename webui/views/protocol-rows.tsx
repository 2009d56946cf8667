import type { Problem, StatusInfo } from '../api/types.js';
import type { FormValues } from '../models/settings-fields.js';
import { problemsFor } from '../problems.js';
import { FieldRow, errProps } from '../ui/field-row.js';

/**
 * The Listener rows for plain HTTP and HTTPS (each with its own port and switch), inside the
 * Settings view's Listener list. What the listeners do now comes from the status: HTTPS may be on
 * in the settings yet off for a certificate reason, which is shown next to its switch.
 */
export function ProtocolRows(props: {
  form: FormValues;
  problems: ReadonlyArray<Problem>;
  set: (field: string, value: string) => void;
  mcp: StatusInfo['mcp'] | undefined;
}) {
  const { form, set } = props;
  if (form.https === undefined) return null;
  const https = props.mcp?.https;
  const switchRow = (field: 'http' | 'https', label: string, now: string) => {
    const id = `umcp-set-${field}`;
    const err = problemsFor(props.problems, field);
    return (
      <FieldRow
        key={field}
        id={id}
        label={label}
        error={err}
        hint={`Applies when the service restarts. ${now}`}
      >
        <input
          {...errProps(id, err, true)}
          type="checkbox"
          checked={form[field] === 'yes'}
          onChange={(e) => set(field, e.currentTarget.checked ? 'yes' : 'no')}
        />
      </FieldRow>
    );
  };
  const portErr = problemsFor(props.problems, 'httpsPort');
  const fromEnv = props.mcp?.setByEnvironment?.includes('UNRAID_MCP_HTTPS_PORT');
  return (
    <>
      {switchRow(
        'http',
        'Plain HTTP',
        props.mcp?.http?.enabled === false ? 'Off now.' : `On now, port ${props.mcp?.port ?? '—'}.`,
      )}
      {switchRow(
        'https',
        'HTTPS',
        !https
          ? ''
          : https.serving
            ? `On now, port ${https.port}, with ${https.certificates.map((c) => c.file.split('/').pop()).join(' and ')}.`
            : `Off now: ${https.reason ?? 'unknown reason'}`,
      )}
      <FieldRow
        id="umcp-set-httpsPort"
        label="HTTPS port"
        error={portErr}
        hint={
          fromEnv
            ? `UNRAID_MCP_HTTPS_PORT is set for this service and wins over this setting; listening now on ${https?.port ?? '—'}.`
            : 'Applies when the service restarts. The certificate is the one the WebGUI uses (Settings → Management Access).'
        }
      >
        <input
          {...errProps('umcp-set-httpsPort', portErr, true)}
          type="text"
          inputMode="numeric"
          value={form.httpsPort ?? ''}
          onInput={(e) => set('httpsPort', e.currentTarget.value)}
        />
      </FieldRow>
    </>
  );
}
