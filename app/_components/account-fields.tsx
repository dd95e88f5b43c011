// The username and password inputs of the sign-in, sign-up and password-change forms: the same
// limits (server/accounts/schemas.ts) and autofill hints everywhere.
import type { ComponentProps } from "react";
import { Field } from "./field";

type AccountFieldProps = Pick<ComponentProps<typeof Field>, "id" | "hint" | "error" | "inputRef"> & { name?: string; label?: string };

export function UsernameField(props: AccountFieldProps) {
  return <Field name="username" label="Username" type="text" autoComplete="username" autoCapitalize="none" autoCorrect="off" spellCheck={false} maxLength={24} required {...props} />;
}

/** `current-password` where one is typed to prove who you are, `new-password` where one is chosen. */
export function PasswordField({ autoComplete, ...props }: AccountFieldProps & { autoComplete: "current-password" | "new-password" }) {
  return <Field name="password" label="Password" type="password" autoComplete={autoComplete} maxLength={200} required {...props} />;
}
