// Mirrors passwordSchema in server/accounts/schemas.ts so the sign-up and password-change forms
// catch a bad new password before a round trip; the server stays the judge.
export function newPasswordError(password: string): string | undefined {
  if (password.length < 8) return "Password must be at least 8 characters";
  if (password.length > 200) return "Password must be at most 200 characters";
  return undefined;
}
