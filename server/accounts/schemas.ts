import { z } from "zod";

export const roles = ["MEMBER", "DEVELOPER", "STAFF"] as const;
export type Role = (typeof roles)[number];
export const roleSchema = z.enum(roles);

/** Usernames are channel names and URL segments: lower-case letters, digits and underscores. */
export const usernameSchema = z
  .string()
  .trim()
  .min(3, "Username must be at least 3 characters")
  .max(24, "Username must be at most 24 characters")
  .regex(/^[A-Za-z0-9_]+$/, "Username may contain only letters, digits and underscores")
  .transform((value) => value.toLowerCase());

export const passwordSchema = z
  .string()
  .min(8, "Password must be at least 8 characters")
  .max(200, "Password must be at most 200 characters");

export const displayNameSchema = z.string().trim().min(1).max(40);

export const signUpInputSchema = z.object({
  username: usernameSchema,
  password: passwordSchema,
  displayName: displayNameSchema.optional(),
});

/** How much each role may do: a higher rank includes everything below it. */
const roleRank: Record<Role, number> = { MEMBER: 1, DEVELOPER: 2, STAFF: 3 };

export function hasRole(actual: Role, required: Role): boolean {
  return roleRank[actual] >= roleRank[required];
}
