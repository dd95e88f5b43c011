import { Providers } from "../_trpc/provider";

export default function AccountLayout({ children }: { children: React.ReactNode }) {
  return <Providers>{children}</Providers>;
}
