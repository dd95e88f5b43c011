import { Providers } from "../_trpc/provider";

export default function SignUpLayout({ children }: { children: React.ReactNode }) {
  return <Providers>{children}</Providers>;
}
