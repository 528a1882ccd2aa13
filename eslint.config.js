import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "actions/*/dist/**",
      "dist/**",
      "coverage/**",
      ".tmp/**",
      "test/corpus/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        setImmediate: "readonly",
        fetch: "readonly",
        AbortController: "readonly",
        AbortSignal: "readonly",
        TextEncoder: "readonly",
        TextDecoder: "readonly",
        structuredClone: "readonly",
        queueMicrotask: "readonly",
        performance: "readonly",
        Response: "readonly",
        Request: "readonly",
        Headers: "readonly",
        URLSearchParams: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-imports": "off",
    },
  },
  {
    // Libraries take a logger and plain options; only action adapters may use the Actions toolkit, and
    // libraries do not reach into the adapters (whose helpers import it) either.
    files: ["packages/**/*.ts"],
    ignores: ["packages/cli/src/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@actions/*"],
              message: "Libraries must not import @actions/*; take a logger instead.",
            },
            {
              regex: "(^|/)actions/_shared/",
              message:
                "Libraries must not import the action adapters' helpers; take what they need as options.",
            },
          ],
        },
      ],
    },
  },
  {
    // The CLI is an adapter like the actions: it may build its GitHub client with the actions' factory
    // (actions/_shared/src/github.ts, on @actions/github), but imports no @actions/* package itself.
    files: ["packages/cli/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@actions/*"],
              message: "The CLI gets Actions-toolkit code only through actions/_shared's factories.",
            },
          ],
        },
      ],
    },
  },
);
