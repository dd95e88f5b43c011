// Calls tRPC procedures directly from server components (no HTTP), as the current user, so
// pages render with real data and the client components take it over as initial data.
import { createCaller } from "@/server/trpc/root";
import { services } from "@/server/services";
import { currentUser } from "./current-user";

export async function serverCaller() {
  const caller = await currentUser();
  return createCaller({ prisma: services().db.prisma, caller });
}
