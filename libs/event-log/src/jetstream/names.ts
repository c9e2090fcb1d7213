/**
 * Subject and stream names. Everything lives under one prefix (default `agentry`) so several logs can
 * share a server (tests use one prefix each):
 *   events  stream `<PREFIX>_EVENTS`, subjects `<prefix>.<category>.events.<streamId>`
 *   tasks   stream `<PREFIX>_TASKS_<queue>` per queue (WorkQueue retention), subjects `<prefix>.<queue>.tasks.<taskId>`
 *   snapshots  KV bucket `<PREFIX>_SNAPSHOTS` (stream `KV_<PREFIX>_SNAPSHOTS`), key = kvKey(snapshot key)
 * The third token keeps the two families from overlapping whatever the category or queue is called.
 */
const SAFE_TOKEN = /^[A-Za-z0-9_-]+$/;

/** A subject token (and name part) for any string: itself when safe, else `~` + base64url. */
export function token(value: string): string {
  return SAFE_TOKEN.test(value) ? value : `~${Buffer.from(value, 'utf8').toString('base64url')}`;
}

/**
 * A KV key for any string: itself when it is a safe token, else `=` + base64url. Like `token`, but KV keys do
 * not allow `~`; `=` cannot start a safe token, so the two forms never collide.
 */
export function kvKey(value: string): string {
  return SAFE_TOKEN.test(value) ? value : `=${Buffer.from(value, 'utf8').toString('base64url')}`;
}

export interface JetStreamNames {
  eventsStream: string;
  eventSubject(category: string, streamId: string): string;
  categoryFilter(category: string): string;
  allEventsFilter: string;
  tasksStream(queue: string): string;
  taskSubject(queue: string, taskId: string): string;
  tasksFilter(queue: string): string;
  subscriptionConsumer(name: string): string;
  workersConsumer: string;
  snapshotsBucket: string;
}

export function jetStreamNames(prefix: string): JetStreamNames {
  if (!SAFE_TOKEN.test(prefix)) throw new Error(`JetStream prefix must match ${SAFE_TOKEN}: ${prefix}`);
  const upper = prefix.toUpperCase();
  return {
    eventsStream: `${upper}_EVENTS`,
    eventSubject: (category, streamId) => `${prefix}.${token(category)}.events.${token(streamId)}`,
    categoryFilter: (category) => `${prefix}.${token(category)}.events.*`,
    allEventsFilter: `${prefix}.*.events.*`,
    tasksStream: (queue) => `${upper}_TASKS_${token(queue)}`,
    taskSubject: (queue, taskId) => `${prefix}.${token(queue)}.tasks.${token(taskId)}`,
    tasksFilter: (queue) => `${prefix}.${token(queue)}.tasks.*`,
    subscriptionConsumer: (name) => `sub_${token(name)}`,
    workersConsumer: 'workers',
    snapshotsBucket: `${upper}_SNAPSHOTS`,
  };
}

/** JetStream API error codes this adapter reacts to. */
export const JS_ERR = {
  NO_MESSAGE: 10037,
  STREAM_NOT_FOUND: 10059,
  CONSUMER_NOT_FOUND: 10014,
  WRONG_LAST_SEQUENCE: 10071,
} as const;

export function apiErrorCode(err: unknown): number | undefined {
  const api =
    typeof err === 'object' && err !== null ? (err as { api_error?: { err_code?: number } }).api_error : undefined;
  return api?.err_code;
}
