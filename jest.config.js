// Jest runs TypeScript as native ESM (see toolchain notes); swc only strips types, tsc checks them.
/** @type {import('jest').Config} */
const config = {
  testEnvironment: "node",
  extensionsToTreatAsEsm: [".ts"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      {
        jsc: { parser: { syntax: "typescript" }, target: "es2024", keepClassNames: true },
        module: { type: "es6" },
        sourceMaps: "inline",
      },
    ],
  },
  testMatch: [
    "<rootDir>/packages/*/test/**/*.test.ts",
    "<rootDir>/actions/*/test/**/*.test.ts",
    "<rootDir>/test/**/*.test.ts",
  ],
  setupFilesAfterEnv: ["<rootDir>/test/setup/network-isolation.ts"],
  testTimeout: 30000,
  maxWorkers: 2,
  reporters: ["default", "<rootDir>/test/setup/summary-reporter.js"],
};
export default config;
