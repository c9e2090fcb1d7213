import type { CreatorProfile } from '../domain/profile';

/** Events of the store's smaller aggregates (listings have their own decider in domain/listing). */
export type CreatorEvent = { type: 'CreatorProfileSaved'; data: CreatorProfile };
export type HandleEvent = { type: 'CreatorHandleClaimed'; data: { handle: string; userId: string; claimedAt: string } };
export type RatingEvent =
  | { type: 'ListingRated'; data: { listingId: string; userId: string; tenantId: string; score: number; comment: string; at: string } }
  | { type: 'ListingRatingEdited'; data: { listingId: string; userId: string; score: number; comment: string; at: string } };
export interface PresetState {
  id: string;
  name: string;
  inputs: Record<string, unknown>;
  createdAt: string;
}
export type LibraryEvent =
  | {
      type: 'LibraryAgentAdded';
      data: { id: string; tenantId: string; listingId: string; listingVersion: number; graphId: string; graphVersion: number; requiredCredentials: string[]; addedBy: string; addedAt: string };
    }
  | { type: 'LibraryAgentUpdated'; data: { listingVersion: number; graphVersion: number; requiredCredentials: string[]; updatedAt: string } }
  | { type: 'LibraryPresetSaved'; data: PresetState }
  | { type: 'LibraryPresetDeleted'; data: { presetId: string; at: string } };
export type RunEvent = { type: 'ListingRunRecorded'; data: { executionId: string; listingId: string; libraryAgentId: string; graphId: string; at: string } };
export type MediaEvent = { type: 'MediaUploaded'; data: { mediaId: string; contentType: string; size: number; base64: string; uploadedBy: string; at: string } };

/** Stream categories the store writes (single writer of each). */
export const CAT = {
  listing: 'listing',
  creator: 'creator',
  handle: 'creatorhandle',
  rating: 'storerating',
  library: 'storelibrary',
  run: 'storerun',
  media: 'storemedia',
} as const;
