// Loads a channel page's data once per request (metadata and page share it); unknown or
// malformed channel names become the 404 page.
import { TRPCError } from "@trpc/server";
import { notFound } from "next/navigation";
import { cache } from "react";
import { serverCaller } from "../../_lib/server-caller";

function missingToNotFound(error: unknown): never {
  if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) notFound();
  throw error;
}

export const loadChannel = cache(async (name: string) => {
  const caller = await serverCaller();
  return caller.streams.channel({ name }).catch(missingToNotFound);
});

export const loadVods = cache(async (name: string) => {
  const caller = await serverCaller();
  return caller.streams.vods({ channel: name }).catch(missingToNotFound);
});

export const loadVod = cache(async (name: string, id: string) => {
  const caller = await serverCaller();
  return caller.streams.vod({ channel: name, id }).catch(missingToNotFound);
});
