import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Builds dist/ once (skipped when up to date): the CLI tests spawn dist/src/cli/main.js.
    globalSetup: ['test/global-setup.ts'],
  },
});
