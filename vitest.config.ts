// Test runner settings: interop suites spawn real clients, so they get long timeouts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    // Real clients (ffmpeg, GStreamer, Chromium) on a shared 2-core machine: a failure must repeat
    // to count. A test that fails once and passes on retry is reported as such by vitest.
    retry: 1,
  },
});
