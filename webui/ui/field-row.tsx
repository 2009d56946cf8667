import type { ComponentChildren } from 'preact';

/**
 * One settings row the way Unraid's settings pages lay them out: the label in the left column, the
 * control on the right (stacked on a narrow screen), the sidecar's error for the field under it.
 * The control itself gets `id` and `errProps(id, error)` from the caller.
 */
export function FieldRow(props: {
  id: string;
  label: string;
  error?: string | null;
  hint?: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <>
      <dt>
        <label for={props.id}>{props.label}</label>
      </dt>
      <dd>
        {props.children}
        {props.hint ? (
          <p class="umcp-hint" id={`${props.id}-hint`}>
            {props.hint}
          </p>
        ) : null}
        {props.error ? (
          <p class="umcp-field-error" id={`${props.id}-error`}>
            {props.error}
          </p>
        ) : null}
      </dd>
    </>
  );
}

/** The accessibility attributes tying a control to its hint and error. */
export function errProps(id: string, error: string | null | undefined, hint = false) {
  const by = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': by || undefined };
}
