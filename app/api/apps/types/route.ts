// GET /api/apps/types (public): the platform API's ambient declarations for the editor.
import { platformTypeDefinitions } from "@/server/apps/platform-api/dts";

export const dynamic = "force-static";

export function GET() {
  return Response.json({ files: platformTypeDefinitions() });
}
