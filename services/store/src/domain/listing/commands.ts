import type { GraphSnapshot, ListingDetails } from './events';

/** Who acts: tenant and user from the token; `isAdmin` = the store-admin role. */
export interface Actor {
  tenantId: string;
  userId: string;
  isAdmin: boolean;
}

interface VersionContent {
  graphVersion: number;
  details: ListingDetails;
  snapshot: GraphSnapshot;
  requiredCredentials: string[];
  /** true: stay DRAFT; false: submit for review at once. */
  draft: boolean;
}

export type ListingCommand =
  | ({ type: 'CreateListing'; actor: Actor; listingId: string; slug: string; graphId: string; now: string } & VersionContent)
  | ({ type: 'AddListingVersion'; actor: Actor; now: string } & VersionContent)
  | { type: 'EditListingVersion'; actor: Actor; version: number; details: ListingDetails; now: string }
  | { type: 'SubmitListingVersion'; actor: Actor; version: number; now: string }
  | { type: 'ReviewListingVersion'; actor: Actor; version: number; decision: 'APPROVE' | 'REJECT'; reason: string; now: string }
  | { type: 'SetListingFeatured'; actor: Actor; featured: boolean; now: string };
