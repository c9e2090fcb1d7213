export { startCluster, REPO_ROOT, type Cluster, type ClusterOptions, type ServiceProcess } from './supervisor';
export { startNatsServer, natsServerAvailable, NATS_SERVER_BIN, type PrivateNatsServer } from './nats';
export { clusterPorts, freeBasePort, freePort, portFree, type ClusterPorts } from './ports';
