// ESLint flat config: typed rules (no-floating-promises), React hooks, and the boundaries of the layers
// (docs/architecture.md#layers): src/shared imports nothing from node/electron, src/main/service imports no
// Electron, and raw ipcMain / ipcRenderer stay inside the two files that bind the contract.
import js from '@eslint/js'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['out/', 'node_modules/', 'native/build/', 'test-results/', 'playwright-report/', '.tmp/', '.venv/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }]
    }
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: globals.browser },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'react-hooks/set-state-in-effect': 'off',
      'react-hooks/refs': 'off',
      // React Compiler rules: this app does not use the compiler
      'react-hooks/preserve-manual-memoization': 'off',
      'react-hooks/immutability': 'off'
    }
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'electron', 'fs', 'path', 'react', '**/main/**', '**/renderer/**'],
              message: 'src/shared is pure TypeScript'
            }
          ]
        }
      ]
    }
  },
  {
    files: ['src/main/service/**/*.ts', 'src/main/serve/**/*.ts', 'src/main/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'the service, serve mode and the CLI run without Electron' }] }
      ]
    }
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/main/index.ts', 'src/preload/index.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "Identifier[name='ipcMain']", message: 'bind IPC only in src/main/index.ts' },
        { selector: "Identifier[name='ipcRenderer']", message: 'use IPC only in src/preload/index.ts' }
      ]
    }
  },
  {
    files: ['**/*.{js,cjs}'],
    languageOptions: { globals: globals.node, sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  }
)
