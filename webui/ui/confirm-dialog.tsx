import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

/**
 * A modal question. The native <dialog> shown with showModal() keeps focus inside it and closes on
 * Escape; focus goes to the first control (Cancel: the safe choice for destructive questions).
 */
export function ConfirmDialog(props: {
  title: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
  children?: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  // A layout effect opens it in the same task as the click: a key pressed right after (Tab, Escape)
  // already lands in the dialog, not on the page behind it.
  useLayoutEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    d?.querySelector<HTMLElement>('button, input, textarea, select')?.focus();
    return () => d?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class="umcp-dialog"
      aria-labelledby="umcp-dialog-title"
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
    >
      <h3 id="umcp-dialog-title">{props.title}</h3>
      {props.children}
      <div class="umcp-buttons">
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="button" class="umcp-danger" disabled={props.busy} onClick={props.onConfirm}>
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
