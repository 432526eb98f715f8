// Lint: typescript-eslint's type-checked rules, plus corral's own boundaries.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'dist-check/', 'addon/build/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
      globals: { process: 'readonly', Buffer: 'readonly', console: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      // `const { file: _file, ...rest } = x` is how a key is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    // Only src/process/spawn.ts starts processes: every service must get the PID-1 options.
    files: ['src/**/*.ts'],
    // run-check.ts runs short probe commands, not services: it buffers their output and
    // kills its own process group on timeout, which spawn.ts's service options do not do.
    ignores: ['src/process/spawn.ts', 'src/process/run-check.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'execa', message: 'Start processes through src/process/spawn.ts.' },
            { name: 'node:child_process', message: 'Start processes through src/process/spawn.ts.' },
            { name: 'child_process', message: 'Start processes through src/process/spawn.ts.' },
          ],
        },
      ],
    },
  },
  {
    // node:test's test() returns a promise that the runner itself awaits.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
