import Link from "next/link";
import type { ReactNode } from "react";

/** The header of a staff section page: a link back to /staff, the title, then the intro (and any nav). */
export function StaffPageHeader({ title, children }: { title: string; children: ReactNode }) {
  return (
    <header className="page-header">
      <p className="eyebrow">
        <Link href="/staff">Staff</Link>
      </p>
      <h1>{title}</h1>
      {children}
    </header>
  );
}
