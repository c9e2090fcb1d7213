import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'libs/proto-ts/src/gen/**', 'data/**', 'coverage/**', 'test-results/**', '**/test-results/**', 'bench/.cache/**', 'bench/results/**', '.nx/**', 'apps/editor/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-require-imports': 'off',
      // Blocks are async generators; one that only returns (or only throws) is legitimate.
      'require-yield': 'off',
      // The architecture as a lint rule (DESIGN.md): a service never imports another service; libs never import services.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          enforceBuildableLibDependency: false,
          depConstraints: [
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'scope:service-graph', onlyDependOnLibsWithTags: ['type:lib', 'scope:service-graph'] },
            { sourceTag: 'scope:service-execution', onlyDependOnLibsWithTags: ['type:lib', 'scope:service-execution'] },
            { sourceTag: 'scope:service-block-runner', onlyDependOnLibsWithTags: ['type:lib', 'scope:service-block-runner'] },
            { sourceTag: 'scope:service-integration', onlyDependOnLibsWithTags: ['type:lib', 'scope:service-integration'] },
            { sourceTag: 'scope:service-store', onlyDependOnLibsWithTags: ['type:lib', 'scope:service-store'] },
            { sourceTag: 'scope:service-scheduler', onlyDependOnLibsWithTags: ['type:lib', 'scope:service-scheduler'] },
            { sourceTag: 'scope:service-notification', onlyDependOnLibsWithTags: ['type:lib', 'scope:service-notification'] },
            { sourceTag: 'scope:service-gateway', onlyDependOnLibsWithTags: ['type:lib', 'scope:service-gateway'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:service', 'type:app'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The engine's in-process tests drive the real block-runner worker (engine + worker without gRPC);
    // production code of the execution service still may not import the block-runner.
    files: ['services/execution/test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: ['@agentry/svc-block-runner/src/app/worker'],
          enforceBuildableLibDependency: false,
          depConstraints: [{ sourceTag: 'scope:service-execution', onlyDependOnLibsWithTags: ['type:lib', 'scope:service-execution', 'scope:service-block-runner'] }],
        },
      ],
    },
  },
  {
    // Whole-platform tests of any app start the platform through the embedded app's test helpers.
    files: ['apps/*/test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: ['@agentry/embedded/test/support', '@agentry/embedded'],
          enforceBuildableLibDependency: false,
          depConstraints: [{ sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:service', 'type:app'] }],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', '**/test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
