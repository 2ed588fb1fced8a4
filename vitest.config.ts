import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["src/**/*.test.ts", "hack/**/*.test.ts", "test/unit/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "packaging",
          include: ["test/packaging/**/*.test.ts"],
          environment: "node",
        },
      },
    ],
  },
});
