import type { ServiceStatus } from "@/server/status/registry";
import { statusLabel } from "../_lib/services-info";

/** A status pill: colour plus words, so it never relies on colour alone. */
export function StatusBadge({ status }: { status: ServiceStatus }) {
  return (
    <span className={`badge badge-${status}`} title={status}>
      {statusLabel[status]}
    </span>
  );
}
