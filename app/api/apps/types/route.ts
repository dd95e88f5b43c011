// GET /api/apps/types (public): the platform API's ambient declarations for the editor.
import fs from "node:fs";
import path from "node:path";
import { platformTypeDefinitions } from "@/server/apps/platform-api/dts";

export const dynamic = "force-static";

export function GET() {
  // Pages' side: the appbridge's types, the same file served at /appbridge.d.ts.
  const appbridge = fs.readFileSync(path.join(process.cwd(), "public/appbridge.d.ts"), "utf8");
  return Response.json({ files: [...platformTypeDefinitions(), { path: "appbridge.d.ts", content: appbridge }] });
}
