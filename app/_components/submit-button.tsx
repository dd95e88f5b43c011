// A form's primary submit button: disabled and busy with a spinner while pending. `pendingStatus`
// adds a quiet status line that tells screen readers what is under way.
export function SubmitButton({ pending, label, pendingStatus, disabled = false }: { pending: boolean; label: string; pendingStatus?: string; disabled?: boolean }) {
  const button = (
    <button type="submit" className="button button-primary" disabled={pending || disabled} aria-busy={pending}>
      {pending ? <span className="spinner" aria-hidden="true" /> : null}
      {label}
    </button>
  );
  if (pendingStatus === undefined) return button;
  return (
    <>
      {button}
      <p className="visually-hidden" role="status">
        {pending ? pendingStatus : ""}
      </p>
    </>
  );
}
