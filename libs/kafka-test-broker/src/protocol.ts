/** Kafka API keys, error codes and the request versions this broker implements. */

export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  ApiVersions: 18,
  DescribeConfigs: 32,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
  CreatePartitions: 37,
  DeleteGroups: 42,
} as const;

/** Kafka's numeric error codes (the subset this broker returns). */
export const ErrorCode = {
  NONE: 0,
  UNKNOWN_SERVER_ERROR: -1,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  INVALID_TOPIC_EXCEPTION: 17,
  INVALID_REQUIRED_ACKS: 21,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_REPLICA_ASSIGNMENT: 39,
  INVALID_CONFIG: 40,
  INVALID_REQUEST: 42,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  INVALID_PRODUCER_EPOCH: 47,
  INVALID_TXN_STATE: 48,
  UNKNOWN_PRODUCER_ID: 59,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
} as const;

/** [min, max] version per API key advertised in ApiVersions; every version in the range is implemented. */
export const SUPPORTED_VERSIONS: ReadonlyMap<number, readonly [number, number]> = new Map<
  number,
  readonly [number, number]
>([
  [ApiKey.Produce, [3, 3]],
  [ApiKey.Fetch, [4, 6]],
  [ApiKey.ListOffsets, [1, 2]],
  [ApiKey.Metadata, [0, 5]],
  [ApiKey.OffsetCommit, [2, 3]],
  [ApiKey.OffsetFetch, [1, 3]],
  [ApiKey.FindCoordinator, [0, 1]],
  [ApiKey.JoinGroup, [0, 2]],
  [ApiKey.Heartbeat, [0, 1]],
  [ApiKey.LeaveGroup, [0, 1]],
  [ApiKey.SyncGroup, [0, 1]],
  [ApiKey.DescribeGroups, [0, 1]],
  [ApiKey.ListGroups, [0, 1]],
  [ApiKey.ApiVersions, [0, 2]],
  [ApiKey.CreateTopics, [0, 2]],
  [ApiKey.DeleteTopics, [0, 1]],
  [ApiKey.InitProducerId, [0, 0]],
  [ApiKey.DescribeConfigs, [0, 2]],
  [ApiKey.CreatePartitions, [0, 0]],
  [ApiKey.DeleteGroups, [0, 0]],
]);

export function isSupported(apiKey: number, version: number): boolean {
  const range = SUPPORTED_VERSIONS.get(apiKey);
  return range !== undefined && version >= range[0] && version <= range[1];
}
