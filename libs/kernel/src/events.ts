/**
 * The one envelope every event travels in (DESIGN.md "Event streams").
 * Streams are named `<category>-<id>`; the category is everything before the first '-'.
 */
export interface EventEnvelope<D = unknown, T extends string = string> {
  id: string;
  type: T;
  streamId: string;
  /** 1-based position inside its stream. */
  streamVersion: number;
  /** 1-based position in the whole log, strictly increasing in commit order. */
  globalPosition: number;
  tenantId: string;
  /** ISO-8601 UTC. */
  occurredAt: string;
  causationId?: string;
  correlationId?: string;
  traceparent?: string;
  data: D;
}

/** What a writer hands to EventStore.append; the store fills in positions and defaults. */
export interface NewEvent<D = unknown, T extends string = string> {
  type: T;
  data: D;
  id?: string;
  occurredAt?: string;
  causationId?: string;
  correlationId?: string;
  traceparent?: string;
}

export function categoryOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(0, dash);
}

export function streamIdOf(category: string, id: string): string {
  if (category.includes('-')) throw new Error(`category must not contain '-': ${category}`);
  return `${category}-${id}`;
}
