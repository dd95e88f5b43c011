import Link from "next/link";
import { currentUser } from "../_lib/current-user";
import { countUnreadNotifications } from "@/server/review/notifications";
import { services } from "@/server/services";
import { NavLinks } from "./nav-links";
import { NavMenu } from "./nav-menu";
import { SignOutButton } from "./sign-out-button";
import { ThemeToggle } from "./theme-toggle";
import styles from "./site-header.module.css";

export async function SiteHeader() {
  const user = await currentUser();
  const unread = user ? await countUnreadNotifications({ prisma: services().db.prisma, userId: user.userId }) : 0;
  const items = [
    { href: "/", label: "Home" },
    ...(user ? [{ href: "/dashboard", label: "Dashboard" }] : []),
    ...(user ? [{ href: `/chat/${user.username}`, label: "Chat" }] : []),
    { href: "/dev", label: "Dev" },
    ...(user ? [{ href: "/account/notifications", label: unread ? `Notifications (${unread})` : "Notifications" }] : []),
    ...(user?.role === "STAFF" ? [{ href: "/staff", label: "Staff" }] : []),
  ];
  const showDisplayName = user ? user.displayName.trim().toLowerCase() !== user.username.toLowerCase() : false;

  return (
    <header className={styles.header}>
      <div className={`container ${styles.bar}`}>
        <Link href="/" className={styles.brand}>
          <svg width="28" height="28" viewBox="0 0 32 32" aria-hidden="true">
            <circle cx="16" cy="16" r="15" fill="var(--accent)" />
            <path d="M16 7c-5 0-8.5 3.6-8.5 7.6 0 2.9 2 4.9 4.6 4.9h2.4V25h3v-5.5h2.4c2.6 0 4.6-2 4.6-4.9C24.5 10.6 21 7 16 7z" fill="var(--accent-contrast)" />
          </svg>
          <span>Canopy</span>
        </Link>

        {user ? (
          <Link href="/account" className={styles.account} title="Your account">
            <span className={styles.avatar} aria-hidden="true">
              {(user.displayName.trim()[0] ?? user.username[0] ?? "?").toUpperCase()}
            </span>
            <span className={styles.names}>
              {showDisplayName ? <span className={styles.displayName}>{user.displayName}</span> : null}
              <span className={styles.username}>{user.username}</span>
            </span>
          </Link>
        ) : (
          <Link href="/signin" className={`${styles.account} ${styles.signIn}`}>
            Sign in
          </Link>
        )}

        <NavMenu>
          <nav aria-label="Main" className={styles.nav}>
            <NavLinks items={items} />
          </nav>
          <div className={styles.tools}>
            <ThemeToggle className={styles.themeButton} />
          </div>
          <div className={styles.auth}>
            {user ? (
              <SignOutButton className={`button ${styles.authButton}`} />
            ) : (
              <Link href="/signup" className={`button button-primary ${styles.authButton}`}>
                Sign up
              </Link>
            )}
          </div>
        </NavMenu>
      </div>
    </header>
  );
}
