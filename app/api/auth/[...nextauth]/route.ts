import NextAuth from "next-auth";
import { AppError } from "@/server/errors";
import { jsonRoute } from "@/server/http/route";
import { authOptions } from "@/server/auth/options";

export const dynamic = "force-dynamic";

type RouteContext = { params: Promise<{ nextauth: string[] }> };

// next-auth answers 500 ("a problem with the server configuration") for an action it does not
// know; only its own actions reach it.
const actions = new Set(["providers", "session", "csrf", "signin", "signout", "callback", "verify-request", "error", "_log"]);

/** Anyone: next-auth's sign-in, sign-out, session and CSRF endpoints. */
const handler = jsonRoute<{ nextauth: string[] }>(async (request: Request, context: RouteContext) => {
  const [action] = (await context.params).nextauth;
  if (!action || !actions.has(action)) throw new AppError("NOT_FOUND", "No such sign-in endpoint");
  // next-auth parses JSON bodies itself and answers 500 when they are malformed; refuse first.
  if (request.method === "POST" && request.headers.get("content-type")?.includes("json")) {
    try {
      JSON.parse(await request.clone().text());
    } catch {
      throw new AppError("BAD_REQUEST", "Body is not valid JSON");
    }
  }
  return NextAuth(authOptions())(request, context);
});

export { handler as GET, handler as POST };
