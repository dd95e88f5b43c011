// tRPC context and procedures (as create-t3-app): publicProcedure for anyone,
// protectedProcedure for signed-in callers (session or API token), developer/staff above that.
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { hasRole, type Role } from "../accounts/schemas";
import { resolveCaller, type Caller } from "../auth/caller";
import { AppError, describeIssues, isAppError, trpcCodeOf } from "../errors";
import { assertCleanInput } from "../input/refuse-unclean-input";
import { services } from "../services";

export async function createContext(options: { headers: Headers }) {
  const { db, secrets } = services();
  try {
    const caller = await resolveCaller({
      prisma: db.prisma,
      authSecret: secrets.authSecret,
      authorization: options.headers.get("authorization"),
      cookie: options.headers.get("cookie"),
    });
    return { prisma: db.prisma, caller };
  } catch (error) {
    throw toTrpcError(error);
  }
}

export type Context = Awaited<ReturnType<typeof createContext>>;

export function toTrpcError(error: unknown): TRPCError {
  if (error instanceof TRPCError) return error;
  if (isAppError(error)) return new TRPCError({ code: trpcCodeOf(error.code), message: error.message, cause: error });
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "Internal error", cause: error });
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof ZodError ? error.cause : null;
    return {
      ...shape,
      message: zodError ? describeIssues(zodError.issues) : shape.message,
      data: {
        ...shape.data,
        stack: undefined,
        appCode: isAppError(error.cause) ? error.cause.code : undefined,
        // e.g. a save conflict carries the newer content so the editor can show a diff.
        appDetails: isAppError(error.cause) ? error.cause.details : undefined,
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Domain code throws AppError; this maps it to tRPC's codes in one place. */
const mapAppErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && isAppError(result.error.cause)) {
    throw toTrpcError(result.error.cause);
  }
  return result;
});

/** Every procedure's input, before its schema: NUL, unpaired surrogates and deep nesting are a BAD_REQUEST. */
const refuseUncleanInput = t.middleware(async ({ getRawInput, next }) => {
  assertCleanInput(await getRawInput());
  return next();
});

export const publicProcedure = t.procedure.use(mapAppErrors).use(refuseUncleanInput);

function requireRole(role: Role) {
  return t.middleware(({ ctx, next }) => {
    if (!ctx.caller) throw toTrpcError(new AppError("UNAUTHORIZED", "Sign in first"));
    if (!hasRole(ctx.caller.role, role)) throw toTrpcError(new AppError("FORBIDDEN", `Only ${role.toLowerCase()}s may do this`));
    return next({ ctx: { ...ctx, caller: ctx.caller as Caller } });
  });
}

export const protectedProcedure = publicProcedure.use(requireRole("MEMBER"));
export const developerProcedure = publicProcedure.use(requireRole("DEVELOPER"));
export const staffProcedure = publicProcedure.use(requireRole("STAFF"));
