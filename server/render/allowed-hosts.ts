// The render allow list: hosts from RENDER_ALLOWED_HOSTS plus the ones staff manage (stored in
// the database). Workers get the merged list with each session and whenever it changes.
import type { PrismaClient } from "../db/generated/client";
import { AppError } from "../errors";
import { normaliseHostPattern } from "./url-policy";

export type AllowedHostsStore = ReturnType<typeof createAllowedHostsStore>;

export function createAllowedHostsStore(deps: { prisma: PrismaClient; envHosts: readonly string[]; onChange?: (hosts: string[]) => void }) {
  const envHosts = deps.envHosts.map(normaliseHostPattern).filter((host): host is string => Boolean(host));
  let cache: string[] | null = null;

  async function managed() {
    return deps.prisma.renderAllowedHost.findMany({ orderBy: { host: "asc" } });
  }

  async function merged(): Promise<string[]> {
    cache ??= [...new Set([...envHosts, ...(await managed()).map((row) => row.host)])];
    return cache;
  }

  async function changed(): Promise<void> {
    cache = null;
    deps.onChange?.(await merged());
  }

  return {
    /** Every pattern in force. */
    merged,
    /** Another node changed the list: read it again when next needed. */
    invalidate() {
      cache = null;
    },
    /** For staff: where each entry comes from. */
    async list() {
      return { environment: envHosts, managed: (await managed()).map((row) => ({ host: row.host, addedBy: row.addedBy, createdAt: row.createdAt })) };
    },
    async add(rawHost: string, addedBy: string) {
      const host = normaliseHostPattern(rawHost);
      if (!host) throw new AppError("BAD_REQUEST", "Give a host name like example.com or *.example.com (no IP addresses, no single-label names)");
      await deps.prisma.renderAllowedHost.upsert({ where: { host }, create: { host, addedBy }, update: {} });
      await changed();
      return { host };
    },
    async remove(rawHost: string) {
      const host = normaliseHostPattern(rawHost) ?? rawHost.trim().toLowerCase();
      const { count } = await deps.prisma.renderAllowedHost.deleteMany({ where: { host } });
      if (!count) throw new AppError("NOT_FOUND", `${host} is not on the managed allow list`);
      await changed();
      return { host };
    },
  };
}
