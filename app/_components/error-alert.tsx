import type { CSSProperties, ReactNode } from "react";

/** An error announced to screen readers; renders nothing without a message. */
export function ErrorAlert({ message, style }: { message?: ReactNode; style?: CSSProperties }) {
  if (!message) return null;
  return (
    <p className="alert alert-error" role="alert" style={style}>
      {message}
    </p>
  );
}
