import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Type-aware rules for the TypeScript sources.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // The arrows point one way: only the action's folder talks to GitHub; the engine, the registry client,
    // the configuration and the report writers never import @actions/* (and never the front doors).
    files: ['src/**/*.ts'],
    ignores: ['src/action/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@actions/*'],
              message: 'Only src/action/ may import @actions/* (see docs/ARCHITECTURE.md).',
            },
            { group: ['**/action/*', '**/cli/*'], message: 'Front doors are imported by nobody below them.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/engine/**/*.ts', 'src/registry/**/*.ts', 'src/config/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@actions/*'],
              message: 'Only src/action/ may import @actions/* (see docs/ARCHITECTURE.md).',
            },
            {
              group: ['**/action/*', '**/cli/*', '**/report/*'],
              message: 'The engine and registry know nothing of front doors or writers.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/registry/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@actions/*'],
              message: 'Only src/action/ may import @actions/* (see docs/ARCHITECTURE.md).',
            },
            {
              group: ['**/action/*', '**/cli/*', '**/report/*', '**/engine/*', '**/config/*'],
              message: 'The registry client is the bottom layer.',
            },
          ],
        },
      ],
    },
  },
);
