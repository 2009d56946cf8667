import type { ComponentChildren } from 'preact';

/** A message line: errors are announced at once (role alert), other notes politely (role status). */
export function Notice(props: { kind: 'error' | 'ok' | 'info'; children: ComponentChildren }) {
  if (props.children === null || props.children === undefined || props.children === '') return null;
  return (
    <p class={`umcp-notice umcp-${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </p>
  );
}
