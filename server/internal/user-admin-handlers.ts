// Lets `npm run user` administer accounts through the running server, which owns the embedded
// database (one process at a time may open it: server/db/data-dir-lock.ts).
import type { PrismaClient } from "../db/generated/client";
import { createUser } from "../accounts/create-user";
import { listUsers } from "../accounts/list-users";
import { setRole } from "../accounts/set-role";
import type { BusEndpoint } from "./bus-endpoint";

export function registerUserAdminHandlers(bus: BusEndpoint, deps: { prisma: PrismaClient }): void {
  const fromCli = (label: string) => label === "cli" || label.startsWith("cli:");
  bus.handle("userCreate", (data, envelope) => {
    if (!fromCli(envelope.ack)) throw new Error("only the CLI administers users");
    return createUser({ prisma: deps.prisma, ...data });
  });
  bus.handle("userSetRole", (data, envelope) => {
    if (!fromCli(envelope.ack)) throw new Error("only the CLI administers users");
    return setRole({ prisma: deps.prisma, ...data });
  });
  bus.handle("userList", (_data, envelope) => {
    if (!fromCli(envelope.ack)) throw new Error("only the CLI administers users");
    return listUsers({ prisma: deps.prisma, limit: 1000 });
  });
}
