export { run, buildProgram } from './program';
export { ApiClient } from './client';
export type { CliDeps, Io } from './context';
