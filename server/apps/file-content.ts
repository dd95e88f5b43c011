// Draft files travel as text when they are UTF-8 text and as base64 otherwise (images, fonts).
import { createHash } from "node:crypto";
import { z } from "zod";
import { AppError } from "../errors";
import { bundleLimits, filePathSchema } from "./bundle";

export type FileContentView = { encoding: "utf8" | "base64"; content: string };

export const fileInputSchema = z
  .object({
    path: filePathSchema,
    encoding: z.enum(["utf8", "base64"]).default("utf8"),
    content: z.string().max(Math.ceil((bundleLimits.maxFileBytes * 4) / 3) + 4),
  })
  .strict();
export type FileInput = z.input<typeof fileInputSchema>;

export function sha256Of(content: Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

export function decodeFileInput(file: z.output<typeof fileInputSchema>): Buffer {
  const content = file.encoding === "base64" ? Buffer.from(file.content, "base64") : Buffer.from(file.content, "utf8");
  if (content.length > bundleLimits.maxFileBytes) throw new AppError("PAYLOAD_TOO_LARGE", `${file.path} is larger than ${bundleLimits.maxFileBytes} bytes`);
  return content;
}

export function isText(content: Buffer): boolean {
  if (content.includes(0)) return false;
  return Buffer.from(content.toString("utf8"), "utf8").equals(content);
}

export function viewOf(content: Buffer): FileContentView {
  return isText(content) ? { encoding: "utf8", content: content.toString("utf8") } : { encoding: "base64", content: content.toString("base64") };
}
