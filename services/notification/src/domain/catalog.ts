/** Every notification type, with how it reaches a user unless their preferences say otherwise. */
export const EMAIL_MODES = ['off', 'immediate', 'batched', 'daily'] as const;
export type EmailMode = (typeof EMAIL_MODES)[number];

export interface ChannelPreference {
  inApp: boolean;
  email: EmailMode;
}

export const NOTIFICATION_TYPES = {
  execution_failed: { inApp: true, email: 'immediate' },
  execution_completed: { inApp: true, email: 'off' },
  review_waiting: { inApp: true, email: 'immediate' },
  agent_approved: { inApp: true, email: 'batched' },
  agent_rejected: { inApp: true, email: 'immediate' },
  quota_nearly_used: { inApp: true, email: 'immediate' },
  system: { inApp: true, email: 'daily' },
} as const satisfies Record<string, ChannelPreference>;

export type NotificationType = keyof typeof NOTIFICATION_TYPES;
export const isNotificationType = (t: string): t is NotificationType => Object.prototype.hasOwnProperty.call(NOTIFICATION_TYPES, t);

export interface Draft {
  type: NotificationType;
  title: string;
  body: string;
  data: Record<string, unknown>;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * What a consumed event means for its owner (pure). Execution events need the execution's owner, known from its
 * ExecutionRequested; store events carry the listing's owner.
 */
export function draftFor(category: string, type: string, data: Record<string, unknown>, context: { executionId?: string; graphName?: string }): Draft | undefined {
  if (category === 'execution') {
    const executionId = context.executionId ?? '';
    const graph = context.graphName ? `"${context.graphName}"` : 'A graph';
    switch (type) {
      case 'ExecutionFailed': {
        const error = data.error && typeof data.error === 'object' ? str((data.error as { message?: unknown }).message) : str(data.error) || str(data.reason);
        return { type: 'execution_failed', title: `${graph} failed`, body: error, data: { executionId } };
      }
      case 'ExecutionCompleted':
        return { type: 'execution_completed', title: `${graph} completed`, body: '', data: { executionId } };
      case 'ReviewRequested':
        return { type: 'review_waiting', title: 'A review is waiting for you', body: str(data.message), data: { executionId, nodeExecId: str(data.nodeExecId) } };
      default:
        return undefined;
    }
  }
  if (category === 'listing') {
    const name = str(data.name) || str(data.title) || 'your agent';
    if (type === 'ListingApproved') return { type: 'agent_approved', title: `${name} was approved in the store`, body: str(data.comment) || str(data.message), data: { listingId: str(data.id) || str(data.listingId) } };
    if (type === 'ListingRejected') return { type: 'agent_rejected', title: `${name} was not approved`, body: str(data.reason) || str(data.comment) || str(data.message), data: { listingId: str(data.id) || str(data.listingId) } };
  }
  return undefined;
}
