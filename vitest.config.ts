// Test runner settings. Two projects: unit files run two at a time; the interop and browser files,
// which start real clients (ffmpeg, GStreamer, VLC, Chromium) that compete for the machine's two
// cores, run one at a time after them. No retries: a test that can fail on a clean run is a bug.
import { defineConfig } from 'vitest/config';

const clients = ['test/interop/**/*.test.ts', 'test/browser/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    retry: 0,
    // Sums the fuzz properties' generated inputs over every file and prints the total.
    globalSetup: ['test/helpers/fuzz-tally.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: clients,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'clients',
          include: clients,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
