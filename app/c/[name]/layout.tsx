import { Providers } from "../../_trpc/provider";

export default function ChannelLayout({ children }: { children: React.ReactNode }) {
  return <Providers>{children}</Providers>;
}
