export * from './logger';
export * from './metrics';
export * from './health';
export * from './agentry-metrics';
export * from './http-metrics';
export * from './event-metrics';
export * from './tracing';
export * from './sentry';
