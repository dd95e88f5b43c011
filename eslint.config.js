import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: [".next/**", "node_modules/**", ".data/**", "server/db/generated/**", "next-env.d.ts", "test-results/**", "playwright-report/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
  {
    // The thin client is hand-written ES5 for old WebViews: `var self = this` is how ES5 closes over `this`.
    files: ["public/thin/**/*.js"],
    rules: { "@typescript-eslint/no-this-alias": "off" },
  },
  {
    // Example apps: server scripts see the platform's globals, pages the appbridge's.
    files: ["examples/*/src/**/*.js"],
    languageOptions: { globals: { canopy: "readonly", ccf: "readonly" } },
  },
  {
    files: ["examples/*/pages/**/*.js"],
    languageOptions: { globals: { appbridge: "readonly" } },
  },
);
