// The signed-in user of the current request, for server components. Reads the next-auth session
// cookie and looks the user up fresh (role and display name are never taken from the cookie).
import { cache } from "react";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { resolveCaller, type Caller } from "@/server/auth/caller";
import { services } from "@/server/services";

export type CurrentUser = Caller;

/** The caller of this request, or null for a guest. Deduplicated within one render. */
export const currentUser = cache(async (): Promise<CurrentUser | null> => {
  // headers() first: it marks the render dynamic before anything touches the services.
  const cookie = (await headers()).get("cookie");
  if (!cookie) return null;
  const { db, secrets } = services();
  // Pages only honour the session cookie; API tokens are for scripts calling the API.
  return resolveCaller({ prisma: db.prisma, authSecret: secrets.authSecret, cookie });
});

/** The caller, or a redirect to the sign-in page that comes back to `returnTo` afterwards. */
export async function requireUser(returnTo: string): Promise<CurrentUser> {
  const user = await currentUser();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`);
  return user;
}
