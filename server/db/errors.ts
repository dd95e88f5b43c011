/** Prisma's P2002: a unique constraint refused the write (a concurrent insert won the race). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";
}
