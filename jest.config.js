// Three tiers, chosen by file name (see STYLE.md): *.unit.test.ts, *.int.test.ts, *.e2e.test.ts.
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] };
const common = {
  transform,
  testEnvironment: 'node',
  // Libraries keep process-wide singletons on globalThis (OpenTelemetry, Sentry, grpc-js); Jest 30's soft deletion
  // of globals between test files wraps them again for every file until the setters recurse. Keep them as they are.
  testEnvironmentOptions: { globalsCleanup: 'off' },
  roots: ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/apps', '<rootDir>/charts', '<rootDir>/k8s', '<rootDir>/bench'],
  testPathIgnorePatterns: ['/node_modules/', '/apps/editor/'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/*.unit.test.ts'] },
    { ...common, displayName: 'int', testMatch: ['**/*.int.test.ts'], slowTestThreshold: 30 },
    { ...common, displayName: 'e2e', testMatch: ['**/*.e2e.test.ts'], slowTestThreshold: 60 },
  ],
  testTimeout: 60000,
};
