// next-auth (v4) configuration: username/password credentials, JWT sessions carrying the user id.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { authenticate } from "../accounts/authenticate";
import { services } from "../services";

export function authOptions(): NextAuthOptions {
  const { db, secrets } = services();
  return {
    secret: secrets.authSecret,
    session: { strategy: "jwt", maxAge: 30 * 24 * 60 * 60 },
    pages: { signIn: "/signin" },
    providers: [
      CredentialsProvider({
        name: "Username and password",
        credentials: { username: { label: "Username", type: "text" }, password: { label: "Password", type: "password" } },
        async authorize(credentials) {
          const user = await authenticate({
            prisma: db.prisma,
            username: credentials?.username,
            password: credentials?.password,
          });
          return user ? { id: user.id, name: user.username } : null;
        },
      }),
    ],
    callbacks: {
      // Only the id travels in the cookie; role and names are read from the database per request.
      jwt: ({ token, user }) => (user ? { sub: user.id, name: user.name } : token),
      session: ({ session, token }) => ({ ...session, user: { name: token.name ?? null }, userId: token.sub }),
    },
    logger: {
      error: (code) => console.error(JSON.stringify({ level: "error", scope: "auth", message: code })),
      warn: () => {},
      debug: () => {},
    },
  };
}
