// Calls tRPC procedures directly from server components (no HTTP), as the current user, so
// pages render with real data and the client components take it over as initial data.
import { TRPCError } from "@trpc/server";
import { notFound } from "next/navigation";
import { createCaller } from "@/server/trpc/root";
import { services } from "@/server/services";
import { currentUser } from "./current-user";

export async function serverCaller() {
  const caller = await currentUser();
  return createCaller({ prisma: services().db.prisma, caller });
}

/**
 * For a page's `.catch`: a procedure that refused the request (bad input such as a malformed id
 * in the URL, a missing or forbidden record) makes the page a 404; anything else stays an error.
 */
export function notFoundIfRefused(error: unknown): never {
  if (error instanceof TRPCError && refusals.has(error.code)) notFound();
  throw error;
}

const refusals = new Set<TRPCError["code"]>(["BAD_REQUEST", "NOT_FOUND", "FORBIDDEN", "UNAUTHORIZED", "PARSE_ERROR"]);
