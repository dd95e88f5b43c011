import { serviceStatus } from "../../status/service-status";
import { createTRPCRouter, publicProcedure, staffProcedure } from "../init";
import { services } from "../../services";

export const statusRouter = createTRPCRouter({
  /** Anyone: the same liveness the external API reports. */
  services: publicProcedure.query(() => serviceStatus({ registry: services().registry }).status),
  /** Staff: every worker with its heartbeat. */
  workers: staffProcedure.query(() => services().registry.workerSummaries()),
});
