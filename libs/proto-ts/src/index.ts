// Generated contracts (ts-proto, from proto/ via `npm run proto`); never hand-edit src/gen.
export * as commonV1 from './gen/agentry/common/v1/common';
export * as graphV1 from './gen/agentry/graph/v1/graph';
export * as executionV1 from './gen/agentry/execution/v1/execution';
export * as blockrunnerV1 from './gen/agentry/blockrunner/v1/blockrunner';
export * as integrationV1 from './gen/agentry/integration/v1/integration';
export * as storeV1 from './gen/agentry/store/v1/store';
export * as schedulerV1 from './gen/agentry/scheduler/v1/scheduler';
export * as notificationV1 from './gen/agentry/notification/v1/notification';
export * as gatewayV1 from './gen/agentry/gateway/v1/gateway';
export * as adminV1 from './gen/agentry/admin/v1/admin';
// Hand-written mapping between contract messages and kernel domain types (outside gen/).
export * from './graph-mapping';
