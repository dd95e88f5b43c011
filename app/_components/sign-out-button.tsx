"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

/** Signs out through next-auth. next-auth/react is loaded on click, keeping it out of every page. */
export function SignOutButton({ className }: { className?: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);

  async function signOutNow() {
    setPending(true);
    try {
      const { signOut } = await import("next-auth/react");
      await signOut({ redirect: false });
      router.push("/");
      router.refresh();
    } catch {
      // The API could not be reached from here: next-auth's own sign-out page still works.
      window.location.assign("/api/auth/signout");
    } finally {
      setPending(false);
    }
  }

  return (
    <button type="button" className={className} onClick={signOutNow} disabled={pending} aria-busy={pending}>
      Sign out
    </button>
  );
}
