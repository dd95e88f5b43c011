// tRPC hooks for client components rendered inside <Providers> (app/_trpc/provider.tsx):
//   const trpc = useTRPC();
//   const tokens = useQuery(trpc.tokens.list.queryOptions());
//   const create = useMutation(trpc.tokens.create.mutationOptions());
import { createTRPCContext } from "@trpc/tanstack-react-query";
import type { AppRouter } from "@/server/trpc/root";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();
