import { AppError } from "@/server/errors";
import { jsonRoute } from "@/server/http/route";

export const dynamic = "force-dynamic";

/** Unknown render paths answer JSON, never the HTML 404 page. */
const notFound = jsonRoute<{ path: string[] }>((request) => {
  throw new AppError("NOT_FOUND", `No render route ${new URL(request.url).pathname}`);
});

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
