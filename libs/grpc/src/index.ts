export * from './errors';
export * from './server';
export * from './client';
export * from './caller';
export * from './health-client';
export * from './admin';
