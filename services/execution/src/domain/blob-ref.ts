/** A value stored outside the event log (rule 15); events carry this reference instead of the value. */
export interface BlobRef {
  $blobRef: string;
  size: number;
}

export function isBlobRef(value: unknown): value is BlobRef {
  return typeof value === 'object' && value !== null && typeof (value as { $blobRef?: unknown }).$blobRef === 'string';
}
