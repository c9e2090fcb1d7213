export * from './errors';
export * from './events';
export * from './decider';
export * from './ids';
export * from './graph';
export * from './files';
export * from './quotas';
