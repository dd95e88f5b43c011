import type { ServiceStatus } from "@/server/status/registry";
import { serviceInfo, type StatusKey } from "../_lib/services-info";
import { StatusBadge } from "./status-badge";

export function ServiceList({ status }: { status: Record<StatusKey, ServiceStatus> }) {
  return (
    <ul className="service-list">
      {serviceInfo.map((service) => (
        <li key={service.key}>
          <span className="service-name">
            {service.name}
            <span className="service-desc">{service.description}</span>
          </span>
          <StatusBadge status={status[service.key]} />
        </li>
      ))}
    </ul>
  );
}

export function statusSummary(status: Record<StatusKey, ServiceStatus>): string {
  const values = serviceInfo.map((service) => status[service.key]);
  const up = values.filter((value) => value === "alive").length;
  if (up === values.length) return "All services are up.";
  return `${up} of ${values.length} services are up.`;
}
