import { DomainError } from '@agentry/kernel';
import type { Actor, ListingCommand } from './commands';
import { listingDecider } from './decider';
import type { ListingEvent } from './events';

const creator: Actor = { tenantId: 't1', userId: 'u1', isAdmin: false };
const stranger: Actor = { tenantId: 't2', userId: 'u2', isAdmin: false };
const admin: Actor = { tenantId: 't9', userId: 'a1', isAdmin: true };
const now = '2025-01-01T00:00:00.000Z';
const details = { name: 'Digest', subHeading: 'news', description: 'summarises feeds', categories: ['productivity'], images: [], videoUrl: '' };
const snapshot = { name: 'g', description: '', nodes: [], links: [] };
const content = { graphVersion: 1, details, snapshot, requiredCredentials: [], draft: false };

/** given(events).when(command).then(events) | .thenThrows(code) */
function given(events: ListingEvent[]) {
  const state = events.reduce(listingDecider.evolve, listingDecider.initialState());
  return {
    when(command: ListingCommand) {
      const run = () => listingDecider.decide(command, state);
      return {
        then: (expected: Array<Partial<ListingEvent>>) => expect(run()).toEqual(expected.map((e) => expect.objectContaining(e))),
        thenThrows: (code: string) => {
          try {
            run();
          } catch (err) {
            expect(err).toBeInstanceOf(DomainError);
            expect((err as DomainError).code).toBe(code);
            return;
          }
          throw new Error(`expected ${code}`);
        },
      };
    },
  };
}

const created: ListingEvent = { type: 'ListingCreated', data: { listingId: 'l1', slug: 'digest-l1', creatorTenantId: 't1', creatorUserId: 'u1', graphId: 'g1', createdAt: now } };
const drafted = (version: number): ListingEvent => ({ type: 'ListingVersionDrafted', data: { version, graphVersion: version, details, snapshot, requiredCredentials: [], createdAt: now } });
const submitted = (version: number): ListingEvent => ({ type: 'ListingVersionSubmitted', data: { version, submittedAt: now } });
const approved = (version: number): ListingEvent => ({ type: 'ListingVersionApproved', data: { version, reviewerId: 'a1', reason: '', reviewedAt: now } });
const review = (version: number, decision: 'APPROVE' | 'REJECT', reason = '', actor = admin): ListingCommand => ({ type: 'ReviewListingVersion', actor, version, decision, reason, now });

describe('listing decider', () => {
  it('creates a listing whose first version goes straight to PENDING unless kept as a draft', () => {
    given([]).when({ type: 'CreateListing', actor: creator, listingId: 'l1', slug: 'digest-l1', graphId: 'g1', now, ...content }).then([{ type: 'ListingCreated' }, { type: 'ListingVersionDrafted' }, { type: 'ListingVersionSubmitted' }]);
    given([]).when({ type: 'CreateListing', actor: creator, listingId: 'l1', slug: 'digest-l1', graphId: 'g1', now, ...content, draft: true }).then([{ type: 'ListingCreated' }, { type: 'ListingVersionDrafted' }]);
  });

  it('refuses invalid details with every field at once', () => {
    expect(() =>
      listingDecider.decide({ type: 'CreateListing', actor: creator, listingId: 'l1', slug: 's', graphId: 'g1', now, ...content, details: { ...details, name: '', videoUrl: 'javascript:alert(1)' } }, listingDecider.initialState()),
    ).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', details: { errors: { name: 'required', videoUrl: 'an http(s) URL' } } }));
  });

  it('lets a store admin approve or reject (with a reason) a pending version', () => {
    given([created, drafted(1), submitted(1)]).when(review(1, 'APPROVE')).then([{ type: 'ListingVersionApproved', data: { version: 1, reviewerId: 'a1', reason: '', reviewedAt: now } }]);
    given([created, drafted(1), submitted(1)]).when(review(1, 'REJECT', 'no description')).then([{ type: 'ListingVersionRejected' }]);
    given([created, drafted(1), submitted(1)]).when(review(1, 'REJECT', '  ')).thenThrows('VALIDATION_FAILED');
  });

  it('refuses a review by a non-admin and approving something that is not pending', () => {
    given([created, drafted(1), submitted(1)]).when(review(1, 'APPROVE', '', creator)).thenThrows('PERMISSION_DENIED');
    given([created, drafted(1)]).when(review(1, 'APPROVE')).thenThrows('INVALID_TRANSITION');
    given([created, drafted(1), submitted(1), approved(1)]).when(review(1, 'APPROVE')).thenThrows('INVALID_TRANSITION');
    given([created, drafted(1), submitted(1)]).when(review(7, 'APPROVE')).thenThrows('NOT_FOUND');
  });

  it('keeps approved versions immutable; new content goes in a new version', () => {
    const history = [created, drafted(1), submitted(1), approved(1)];
    given(history).when({ type: 'EditListingVersion', actor: creator, version: 1, details, now }).thenThrows('INVALID_TRANSITION');
    given(history).when({ type: 'AddListingVersion', actor: creator, now, ...content, graphVersion: 2 }).then([{ type: 'ListingVersionDrafted', data: expect.objectContaining({ version: 2 }) }, { type: 'ListingVersionSubmitted' }]);
  });

  it('allows one pending version at a time and hides a listing from other tenants', () => {
    given([created, drafted(1), submitted(1)]).when({ type: 'AddListingVersion', actor: creator, now, ...content }).thenThrows('INVALID_TRANSITION');
    given([created, drafted(1)]).when({ type: 'AddListingVersion', actor: stranger, now, ...content }).thenThrows('NOT_FOUND');
    given([created, drafted(1)]).when({ type: 'SubmitListingVersion', actor: stranger, version: 1, now }).thenThrows('NOT_FOUND');
  });

  it('lets a rejected version be edited and submitted again', () => {
    const rejected: ListingEvent = { type: 'ListingVersionRejected', data: { version: 1, reviewerId: 'a1', reason: 'blurry', reviewedAt: now } };
    given([created, drafted(1), submitted(1), rejected]).when({ type: 'EditListingVersion', actor: creator, version: 1, details: { ...details, name: 'Better' }, now }).then([{ type: 'ListingVersionDetailsEdited' }]);
    given([created, drafted(1), submitted(1), rejected]).when({ type: 'SubmitListingVersion', actor: creator, version: 1, now }).then([{ type: 'ListingVersionSubmitted' }]);
  });

  it('features only approved listings, by admins', () => {
    given([created, drafted(1), submitted(1)]).when({ type: 'SetListingFeatured', actor: admin, featured: true, now }).thenThrows('INVALID_TRANSITION');
    given([created, drafted(1), submitted(1), approved(1)]).when({ type: 'SetListingFeatured', actor: creator, featured: true, now }).thenThrows('PERMISSION_DENIED');
    given([created, drafted(1), submitted(1), approved(1)]).when({ type: 'SetListingFeatured', actor: admin, featured: true, now }).then([{ type: 'ListingFeaturedSet' }]);
  });
});
