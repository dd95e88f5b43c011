import { jsonRoute } from "@/server/http/route";
import { services } from "@/server/services";
import { serviceStatus } from "@/server/status/service-status";

export const dynamic = "force-dynamic";

/** Anyone: Open360's service status. */
export const GET = jsonRoute(() => Response.json(serviceStatus({ registry: services().registry })));
