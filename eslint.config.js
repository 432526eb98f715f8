// Lint: typescript-eslint's type-checked rules, plus corral's own boundaries.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layers of src/, top to bottom, as the README's Development section draws them: a
// folder may import from the folders on lower lines, never from one on its own line or
// above. shared/ imports nothing of corral's. test/unit/layers.test.ts holds the
// README's drawing, this list and the real imports to each other.
const LAYERS = [['cli'], ['control'], ['supervisor'], ['logging', 'readiness'], ['config'], ['process'], ['native'], ['shared']];

// Only these start processes: spawn.ts the services (with the options a PID 1 needs) and
// run-check.ts the short check commands, whose output it buffers and whose process group
// it kills on timeout, which spawn.ts's service options do not do.
const PROCESS_STARTERS = ['src/process/spawn.ts', 'src/process/run-check.ts'];
const PROCESS_MODULES = ['node:child_process', 'child_process'].map((name) => ({
  name,
  message: 'Start services through src/process/spawn.ts, check commands through src/process/run-check.ts.',
}));
// Not in src/ at all, the process starters included: loading execa cost the running
// corral 2.7 MiB of RSS and a third of its module loading time (issue 20). It stays a
// devDependency, for the container test helpers.
const UNWANTED_MODULES = [
  {
    name: 'execa',
    message: 'corral does not load execa (its RSS and start-up time, issue 20): use node:child_process in src/process/spawn.ts or run-check.ts.',
  },
];

// One no-restricted-imports rule per folder of src/ (a later rule for the same file
// replaces an earlier one, so each carries both boundaries): no import from a layer above
// or beside, no child_process outside the process starters, and no execa anywhere.
function boundaries() {
  return LAYERS.flatMap((layer, index) =>
    layer.flatMap((folder) => {
      const above = LAYERS.slice(0, index + 1)
        .flat()
        .filter((other) => other !== folder);
      const patterns = above.map((other) => ({
        regex: `^(\\./)*\\.\\./${other}/`,
        message: `${other}/ is not below ${folder}/ in the layers (the README's Development section): move what both need to a lower layer, or to src/shared/.`,
      }));
      const files = [`src/${folder}/**/*.ts`];
      return [
        { files, ignores: PROCESS_STARTERS, rules: { 'no-restricted-imports': ['error', { paths: [...PROCESS_MODULES, ...UNWANTED_MODULES], patterns }] } },
        ...(PROCESS_STARTERS.some((file) => file.startsWith(`src/${folder}/`))
          ? [{ files: PROCESS_STARTERS, rules: { 'no-restricted-imports': ['error', { paths: UNWANTED_MODULES, patterns }] } }]
          : []),
      ];
    }),
  );
}

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
  ...boundaries(),
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
