import type { ServiceRegistry } from "./registry";

/** The body of `GET /api/external/` (Open360): one status per service. */
export function serviceStatus(options: { registry: ServiceRegistry }) {
  return { status: options.registry.status() };
}
