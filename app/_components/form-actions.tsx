// The end of a form: its error, the submit button (busy while pending; `disabled` adds other
// reasons), an optional Cancel, and a quiet status line announcing success to screen readers.
import { ErrorAlert } from "./error-alert";
import { SubmitButton } from "./submit-button";

export function FormActions({
  error,
  pending,
  label,
  done,
  disabled = false,
  onCancel,
}: {
  error?: string | null;
  pending: boolean;
  label: string;
  done?: string;
  disabled?: boolean;
  onCancel?: () => void;
}) {
  return (
    <>
      <ErrorAlert message={error} />
      <div className="button-row">
        <SubmitButton pending={pending} label={label} disabled={disabled} />
        {onCancel ? (
          <button type="button" className="button button-ghost" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
        <p role="status" className="muted" style={{ margin: 0 }}>
          {done ?? ""}
        </p>
      </div>
    </>
  );
}
