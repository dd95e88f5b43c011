// Human names for the services the registry reports (see server/status/registry.ts).
import type { ServiceName, ServiceStatus } from "@/server/status/registry";

export type StatusKey = ServiceName | "worker";

export const serviceInfo: ReadonlyArray<{ key: StatusKey; name: string; description: string }> = [
  { key: "web", name: "Web", description: "This website" },
  { key: "api", name: "API", description: "REST and tRPC endpoints" },
  { key: "chat", name: "Chat", description: "Live chat" },
  { key: "ingest", name: "Ingest", description: "Incoming live streams" },
  { key: "apps", name: "Apps", description: "App runtime" },
  { key: "render", name: "Render", description: "Rendering for thin devices" },
  { key: "worker", name: "Worker", description: "Background worker process" },
];

export const statusLabel: Record<ServiceStatus, string> = {
  alive: "Up",
  dead: "Down",
  zombie: "Failing",
};

export const roleLabel = { MEMBER: "Member", DEVELOPER: "Developer", STAFF: "Staff" } as const;
