import type { GraphLink, GraphNode } from '@agentry/kernel';

export type ListingVersionStatus = 'DRAFT' | 'PENDING' | 'APPROVED' | 'REJECTED';

/** What a creator describes about one version of a listing. */
export interface ListingDetails {
  name: string;
  subHeading: string;
  description: string;
  categories: string[];
  images: string[];
  videoUrl: string;
}

/** The graph version as submitted, with credentials and secrets stripped. */
export interface GraphSnapshot {
  name: string;
  description: string;
  nodes: GraphNode[];
  links: GraphLink[];
}

export type ListingEvent =
  | { type: 'ListingCreated'; data: { listingId: string; slug: string; creatorTenantId: string; creatorUserId: string; graphId: string; createdAt: string } }
  | {
      type: 'ListingVersionDrafted';
      data: { version: number; graphVersion: number; details: ListingDetails; snapshot: GraphSnapshot; requiredCredentials: string[]; createdAt: string };
    }
  | { type: 'ListingVersionDetailsEdited'; data: { version: number; details: ListingDetails; editedAt: string } }
  | { type: 'ListingVersionSubmitted'; data: { version: number; submittedAt: string } }
  | { type: 'ListingVersionApproved'; data: { version: number; reviewerId: string; reason: string; reviewedAt: string } }
  | { type: 'ListingVersionRejected'; data: { version: number; reviewerId: string; reason: string; reviewedAt: string } }
  | { type: 'ListingFeaturedSet'; data: { featured: boolean; by: string; at: string } };

export const LISTING_EVENT_TYPES: ReadonlyArray<ListingEvent['type']> = [
  'ListingCreated',
  'ListingVersionDrafted',
  'ListingVersionDetailsEdited',
  'ListingVersionSubmitted',
  'ListingVersionApproved',
  'ListingVersionRejected',
  'ListingFeaturedSet',
];
