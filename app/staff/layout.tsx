import { Providers } from "../_trpc/provider";

export default function StaffLayout({ children }: { children: React.ReactNode }) {
  return <Providers>{children}</Providers>;
}
