import { connect, type AsyncClient } from '@agentry/grpc';
import {
  adminV1,
  blockrunnerV1,
  executionV1,
  graphV1,
  integrationV1,
  notificationV1,
  schedulerV1,
  storeV1,
} from '@agentry/proto-ts';

export interface ServiceAddresses {
  graph: string;
  execution: string;
  blockRunner: string;
  /** Optional so a gateway can run without them (tests); calls then fail with UNAVAILABLE. */
  integration?: string;
  store?: string;
  scheduler?: string;
  notification?: string;
}

export interface ServiceClients {
  graph: AsyncClient<graphV1.GraphServiceClient>;
  execution: AsyncClient<executionV1.ExecutionServiceClient>;
  blocks: AsyncClient<blockrunnerV1.BlockRunnerServiceClient>;
  integration: AsyncClient<integrationV1.IntegrationServiceClient>;
  store: AsyncClient<storeV1.StoreServiceClient>;
  scheduler: AsyncClient<schedulerV1.SchedulerServiceClient>;
  notification: AsyncClient<notificationV1.NotificationServiceClient>;
  /** Each service's AdminService (drain, rebuild read models), by service name. */
  admin: Record<AdministeredService, AsyncClient<adminV1.AdminServiceClient>>;
  close(): void;
}

/** The services the gateway administers through their AdminService (the gateway administers itself directly). */
export const ADMINISTERED_SERVICES = ['graph', 'execution', 'block-runner', 'integration', 'store', 'scheduler', 'notification'] as const;
export type AdministeredService = (typeof ADMINISTERED_SERVICES)[number];

const NOWHERE = '127.0.0.1:1';

export function connectServices(addresses: ServiceAddresses): ServiceClients {
  const clients = {
    graph: connect(graphV1.GraphServiceClient, addresses.graph),
    execution: connect(executionV1.ExecutionServiceClient, addresses.execution),
    blocks: connect(blockrunnerV1.BlockRunnerServiceClient, addresses.blockRunner),
    integration: connect(integrationV1.IntegrationServiceClient, addresses.integration ?? NOWHERE),
    store: connect(storeV1.StoreServiceClient, addresses.store ?? NOWHERE),
    scheduler: connect(schedulerV1.SchedulerServiceClient, addresses.scheduler ?? NOWHERE),
    notification: connect(notificationV1.NotificationServiceClient, addresses.notification ?? NOWHERE),
  };
  const adminAt = (address: string | undefined) => connect(adminV1.AdminServiceClient, address ?? NOWHERE);
  const admin: ServiceClients['admin'] = {
    graph: adminAt(addresses.graph),
    execution: adminAt(addresses.execution),
    'block-runner': adminAt(addresses.blockRunner),
    integration: adminAt(addresses.integration),
    store: adminAt(addresses.store),
    scheduler: adminAt(addresses.scheduler),
    notification: adminAt(addresses.notification),
  };
  return {
    ...clients,
    admin,
    close() {
      for (const c of Object.values(clients)) c.close();
      for (const c of Object.values(admin)) c.close();
    },
  };
}
