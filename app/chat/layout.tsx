import { Providers } from "../_trpc/provider";

export default function ChatLayout({ children }: { children: React.ReactNode }) {
  return <Providers>{children}</Providers>;
}
