import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname) };

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node" },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/helpers/build-once.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Each file starts its own server; on 2 cores running them one at a time is faster.
          fileParallelism: false,
        },
      },
    ],
  },
});
