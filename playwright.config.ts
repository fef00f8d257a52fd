import { defineConfig } from '@playwright/test';

/** One project per suite: `npx playwright test --project catalog`. */
export default defineConfig({
  reporter: process.env.CI ? [['list'], ['junit', { outputFile: 'reports/output/junit.xml' }]] : [['list']],
  forbidOnly: !!process.env.CI,
  projects: [
    { name: 'catalog', testDir: './fixtures/catalog' },
    { name: 'reference', testDir: './reference-implementation', timeout: 120_000 },
  ],
});
