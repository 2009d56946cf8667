import type { FormValues } from './settings-fields.js';

/**
 * The Settings view's HTTP / HTTPS switches and HTTPS port (HTTP, HTTPS, HTTPS_PORT in
 * unraid-mcp.cfg): "yes" / "no" and digits in the form like its other text fields. The sidecar
 * decides what is valid (both off, one port for both) and its answer is shown next to the field.
 */
export function protocolForm(settings: Record<string, unknown>): FormValues {
  const form: FormValues = {};
  for (const f of ['http', 'https'] as const)
    if (typeof settings[f] === 'boolean') form[f] = settings[f] ? 'yes' : 'no';
  if (typeof settings.httpsPort === 'number') form.httpsPort = String(settings.httpsPort);
  return form;
}

/** The changed switches and port as a settings patch, or why the port cannot be sent. */
export function protocolPatch(
  form: FormValues,
  saved: FormValues,
): { patch: Record<string, unknown>; problems: Array<{ field: string; message: string }> } {
  const patch: Record<string, unknown> = {};
  for (const f of ['http', 'https'] as const)
    if (form[f] !== undefined && form[f] !== saved[f]) patch[f] = form[f] === 'yes';
  const port = form.httpsPort?.trim();
  if (port === undefined || port === saved.httpsPort) return { patch, problems: [] };
  if (!/^\d+$/.test(port))
    return { patch, problems: [{ field: 'httpsPort', message: 'must be a whole number from 1 to 65535' }] };
  patch.httpsPort = Number(port);
  return { patch, problems: [] };
}
