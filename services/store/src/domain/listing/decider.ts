import { assertNever, DomainError, type Decider } from '@agentry/kernel';
import type { Actor, ListingCommand } from './commands';
import type { GraphSnapshot, ListingDetails, ListingEvent, ListingVersionStatus } from './events';
import { validateDetails } from './validate';

export interface ListingVersionState {
  version: number;
  graphVersion: number;
  details: ListingDetails;
  snapshot: GraphSnapshot;
  requiredCredentials: string[];
  status: ListingVersionStatus;
  reviewReason: string;
  reviewedBy: string;
  createdAt: string;
  submittedAt: string;
  reviewedAt: string;
}

export interface ListingState {
  exists: boolean;
  id: string;
  slug: string;
  creatorTenantId: string;
  creatorUserId: string;
  graphId: string;
  createdAt: string;
  featured: boolean;
  versions: ListingVersionState[];
}

const initialState = (): ListingState => ({ exists: false, id: '', slug: '', creatorTenantId: '', creatorUserId: '', graphId: '', createdAt: '', featured: false, versions: [] });

/** The newest APPROVED version: what the public catalogue shows. */
export const approvedVersion = (s: ListingState): ListingVersionState | undefined => [...s.versions].reverse().find((v) => v.status === 'APPROVED');

function requireOwner(state: ListingState, actor: Actor): void {
  // Another tenant's listing does not exist for this caller (DESIGN.md: cross-tenant access answers 404).
  if (!state.exists || state.creatorTenantId !== actor.tenantId) throw new DomainError('NOT_FOUND', `listing ${state.id || ''} not found`.trim(), { what: 'listing' });
}

function requireAdmin(actor: Actor): void {
  if (!actor.isAdmin) throw new DomainError('PERMISSION_DENIED', 'only store admins may do this');
}

function versionOf(state: ListingState, version: number): ListingVersionState {
  const v = state.versions.find((x) => x.version === version);
  if (!v) throw new DomainError('NOT_FOUND', `listing version ${state.id}@${version} not found`, { what: 'listing version' });
  return v;
}

function drafted(state: ListingState, c: { graphVersion: number; details: ListingDetails; snapshot: GraphSnapshot; requiredCredentials: string[]; draft: boolean; now: string }): ListingEvent[] {
  const version = state.versions.length + 1;
  const events: ListingEvent[] = [
    { type: 'ListingVersionDrafted', data: { version, graphVersion: c.graphVersion, details: c.details, snapshot: c.snapshot, requiredCredentials: c.requiredCredentials, createdAt: c.now } },
  ];
  if (!c.draft) events.push({ type: 'ListingVersionSubmitted', data: { version, submittedAt: c.now } });
  return events;
}

/**
 * A store listing and its versions. Workflow per version: DRAFT → PENDING → APPROVED | REJECTED (a rejected
 * version may be edited and submitted again); an APPROVED version never changes again.
 */
export const listingDecider: Decider<ListingCommand, ListingEvent, ListingState> = {
  initialState,

  decide(command, state) {
    switch (command.type) {
      case 'CreateListing': {
        if (state.exists) throw new DomainError('ALREADY_EXISTS', `listing ${command.listingId} already exists`);
        validateDetails(command.details);
        return [
          {
            type: 'ListingCreated',
            data: { listingId: command.listingId, slug: command.slug, creatorTenantId: command.actor.tenantId, creatorUserId: command.actor.userId, graphId: command.graphId, createdAt: command.now },
          },
          ...drafted(initialState(), command),
        ];
      }
      case 'AddListingVersion': {
        requireOwner(state, command.actor);
        validateDetails(command.details);
        if (state.versions.some((v) => v.status === 'PENDING'))
          throw new DomainError('INVALID_TRANSITION', 'a version of this listing is already waiting for review', { errors: { version: 'pending' } });
        return drafted(state, command);
      }
      case 'EditListingVersion': {
        requireOwner(state, command.actor);
        const v = versionOf(state, command.version);
        if (v.status === 'APPROVED') throw new DomainError('INVALID_TRANSITION', `version ${v.version} is approved and can no longer change; submit a new version`, { errors: { version: 'approved' } });
        if (v.status === 'PENDING') throw new DomainError('INVALID_TRANSITION', `version ${v.version} is waiting for review and cannot change now`, { errors: { version: 'pending' } });
        validateDetails(command.details);
        return [{ type: 'ListingVersionDetailsEdited', data: { version: v.version, details: command.details, editedAt: command.now } }];
      }
      case 'SubmitListingVersion': {
        requireOwner(state, command.actor);
        const v = versionOf(state, command.version);
        if (v.status !== 'DRAFT' && v.status !== 'REJECTED') throw new DomainError('INVALID_TRANSITION', `version ${v.version} is ${v.status}; only a DRAFT or REJECTED version can be submitted`);
        if (state.versions.some((x) => x.status === 'PENDING')) throw new DomainError('INVALID_TRANSITION', 'a version of this listing is already waiting for review');
        return [{ type: 'ListingVersionSubmitted', data: { version: v.version, submittedAt: command.now } }];
      }
      case 'ReviewListingVersion': {
        requireAdmin(command.actor);
        if (!state.exists) throw new DomainError('NOT_FOUND', 'listing not found', { what: 'listing' });
        const v = versionOf(state, command.version);
        if (v.status !== 'PENDING') throw new DomainError('INVALID_TRANSITION', `version ${v.version} is ${v.status}, not PENDING: only a pending version can be reviewed`, { errors: { status: v.status } });
        const reason = command.reason.trim();
        if (command.decision === 'REJECT' && !reason) throw new DomainError('VALIDATION_FAILED', 'a rejection needs a reason', { errors: { reason: 'required' } });
        if (reason.length > 2000) throw new DomainError('VALIDATION_FAILED', 'the reason is too long', { errors: { reason: 'at most 2000 characters' } });
        const data = { version: v.version, reviewerId: command.actor.userId, reason, reviewedAt: command.now };
        if (command.decision === 'APPROVE') return [{ type: 'ListingVersionApproved', data }];
        if (command.decision === 'REJECT') return [{ type: 'ListingVersionRejected', data }];
        throw new DomainError('VALIDATION_FAILED', 'decision must be APPROVE or REJECT', { errors: { decision: 'APPROVE or REJECT' } });
      }
      case 'SetListingFeatured': {
        requireAdmin(command.actor);
        if (!state.exists) throw new DomainError('NOT_FOUND', 'listing not found', { what: 'listing' });
        if (!approvedVersion(state)) throw new DomainError('INVALID_TRANSITION', 'only an approved listing can be featured');
        if (state.featured === command.featured) return [];
        return [{ type: 'ListingFeaturedSet', data: { featured: command.featured, by: command.actor.userId, at: command.now } }];
      }
      default:
        return assertNever(command, 'listing command');
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'ListingCreated': {
        const d = event.data;
        return { ...state, exists: true, id: d.listingId, slug: d.slug, creatorTenantId: d.creatorTenantId, creatorUserId: d.creatorUserId, graphId: d.graphId, createdAt: d.createdAt };
      }
      case 'ListingVersionDrafted': {
        const d = event.data;
        const v: ListingVersionState = {
          version: d.version,
          graphVersion: d.graphVersion,
          details: d.details,
          snapshot: d.snapshot,
          requiredCredentials: d.requiredCredentials,
          status: 'DRAFT',
          reviewReason: '',
          reviewedBy: '',
          createdAt: d.createdAt,
          submittedAt: '',
          reviewedAt: '',
        };
        return { ...state, versions: [...state.versions, v] };
      }
      case 'ListingVersionDetailsEdited':
        return withVersion(state, event.data.version, (v) => ({ ...v, details: event.data.details }));
      case 'ListingVersionSubmitted':
        return withVersion(state, event.data.version, (v) => ({ ...v, status: 'PENDING', submittedAt: event.data.submittedAt, reviewReason: '', reviewedBy: '', reviewedAt: '' }));
      case 'ListingVersionApproved':
        return withVersion(state, event.data.version, (v) => ({ ...v, status: 'APPROVED', reviewReason: event.data.reason, reviewedBy: event.data.reviewerId, reviewedAt: event.data.reviewedAt }));
      case 'ListingVersionRejected':
        return withVersion(state, event.data.version, (v) => ({ ...v, status: 'REJECTED', reviewReason: event.data.reason, reviewedBy: event.data.reviewerId, reviewedAt: event.data.reviewedAt }));
      case 'ListingFeaturedSet':
        return { ...state, featured: event.data.featured };
      default:
        return assertNever(event, 'listing event');
    }
  },
};

function withVersion(state: ListingState, version: number, f: (v: ListingVersionState) => ListingVersionState): ListingState {
  return { ...state, versions: state.versions.map((v) => (v.version === version ? f(v) : v)) };
}
