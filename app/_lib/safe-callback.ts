// Where to go after signing in. Only paths on this site are allowed (an absolute URL keeps just
// its path), so a crafted link cannot send people elsewhere.
const authPages = ["/signin", "/signup"];

export function safeCallbackUrl(value: unknown, fallback = "/"): string {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 2000) return fallback;
  let path: string;
  try {
    const url = new URL(raw, "http://canopy.invalid");
    path = url.pathname + url.search + url.hash;
  } catch {
    return fallback;
  }
  if (!path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return fallback;
  if (authPages.some((page) => path === page || path.startsWith(`${page}?`) || path.startsWith(`${page}/`))) return fallback;
  return path;
}
