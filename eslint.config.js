import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The arrows point one way (docs/ARCHITECTURE.md): only src/action/ talks to GitHub, and a layer never imports
 * the folders named as above it.
 */
const boundary = (files, above, message, ignores = []) => ({
  files,
  ignores,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: ['@actions/*'],
            message: 'Only src/action/ may import @actions/* (see docs/ARCHITECTURE.md).',
          },
          { group: above.map((folder) => `**/${folder}/*`), message },
        ],
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.node24/'] },
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
  boundary(['src/**/*.ts'], ['action', 'cli'], 'Front doors are imported by nobody below them.', [
    'src/action/**',
  ]),
  boundary(
    ['src/engine/**/*.ts'],
    ['action', 'cli', 'report'],
    'The engine knows nothing of front doors or writers.',
  ),
  boundary(
    ['src/config/**/*.ts'],
    ['action', 'cli', 'report', 'engine'],
    'Settings are values the front doors build and the engine receives: config imports no engine.',
  ),
  boundary(['src/report/**/*.ts'], ['action', 'cli'], 'Writers read the engine’s model, never a front door.'),
  boundary(
    ['src/registry/**/*.ts'],
    ['action', 'cli', 'report', 'engine', 'config', 'archive'],
    'The registry client is the bottom layer.',
  ),
  boundary(
    ['src/archive/**/*.ts'],
    ['action', 'cli', 'report', 'engine', 'config'],
    'Archive readers are beside the registry client: the engine reads them, they know nothing above.',
  ),
);
