import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 60_000,
    // The addon maps files: run test files in forks so a fault could never take the runner down.
    pool: 'forks'
  }
})
