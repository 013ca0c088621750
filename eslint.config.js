// Lint for the TypeScript (lib/, test/, scripts/, examples/): typescript-eslint's recommended rules, plus the
// type-aware rules that catch unhandled promises, the bug class that matters most in async pipelines.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { ignores: ['dist/', 'build/', 'build-gpu/', 'build-prebuild/', 'prebuilds/', 'node_modules/', 'coverage/', 'runs/', 'docs/api/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['scripts/**', 'lib/cli/**', 'test/**', 'examples/**'], rules: { 'no-console': 'off' } },
  // The examples are checked as a user's project sees them: 'fastsam-node' imports resolve (examples/tsconfig.json).
  {
    files: ['examples/**/*.ts'],
    languageOptions: { parserOptions: { project: './examples/tsconfig.json', tsconfigRootDir: __dirname } },
  },
  // The web demo's browser code is checked against its own project (DOM types, no Node).
  {
    files: ['lib/serve/web/**/*.ts'],
    languageOptions: { parserOptions: { project: './lib/serve/web/tsconfig.json', tsconfigRootDir: __dirname } },
  },
);
