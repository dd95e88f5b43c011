import { Providers } from "../_trpc/provider";

export default function DevLayout({ children }: { children: React.ReactNode }) {
  return <Providers>{children}</Providers>;
}
