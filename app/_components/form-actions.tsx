// The end of a settings form: its error, the submit button (busy while pending) and a quiet
// status line announcing success to screen readers.
export function FormActions({ error, pending, label, done }: { error?: string; pending: boolean; label: string; done?: string }) {
  return (
    <>
      {error ? (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={pending} aria-busy={pending}>
          {pending ? <span className="spinner" aria-hidden="true" /> : null}
          {label}
        </button>
        <p role="status" className="muted" style={{ margin: 0 }}>
          {done ?? ""}
        </p>
      </div>
    </>
  );
}
