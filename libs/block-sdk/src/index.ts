export * from './types';
export * from './define';
export * from './pins';
export * from './validate';
export * from './assignable';
export * from './run';
export * from './template';
export * from './docs';
