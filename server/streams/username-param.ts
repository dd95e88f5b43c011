import { AppError } from "../errors";

/** The `username` query parameter of Open360's external API; missing or malformed is a 400. */
export function usernameParam(request: Request): string {
  const username = new URL(request.url).searchParams.get("username");
  if (!username) throw new AppError("BAD_REQUEST", "Missing the username query parameter");
  if (!/^[A-Za-z0-9_]{1,40}$/.test(username)) throw new AppError("BAD_REQUEST", "Invalid username");
  return username.toLowerCase();
}
