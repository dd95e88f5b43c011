import { Providers } from "../_trpc/provider";

export default function PairLayout({ children }: { children: React.ReactNode }) {
  return <Providers>{children}</Providers>;
}
