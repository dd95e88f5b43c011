"use client";

// React Query + tRPC for the interactive pages. Only the routes that need it wrap themselves in
// <Providers> (see their layout.tsx), so the home page ships none of this.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { useState } from "react";
import superjson from "superjson";
import type { AppRouter } from "@/server/trpc/root";
import { TRPCProvider } from "./client";

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // Pages hand server-rendered data over as initialData; don't refetch it straight away.
      queries: { staleTime: 30_000, retry: 1, refetchOnWindowFocus: true },
      mutations: { retry: false },
    },
  });
}

let browserQueryClient: QueryClient | undefined;

/** One client per browser tab (so the cache survives moving between pages); a fresh one per
 *  server render so users never share cached data. */
function getQueryClient(): QueryClient {
  if (typeof window === "undefined") return makeQueryClient();
  browserQueryClient ??= makeQueryClient();
  return browserQueryClient;
}

export function Providers({ children }: { children: React.ReactNode }) {
  const queryClient = getQueryClient();
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      // Long batches (the editor reads every file of an app at once) are split below Node's header limit.
      links: [httpBatchLink({ url: "/api/trpc", transformer: superjson, maxURLLength: 8000 })],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}

export default Providers;
