/**
 * The platform's file records: bytes live in the file store (`<dataDir>/files/<tenant>/<id>`), the record in one
 * `file-<id>` stream. The gateway writes them for uploads and block-runner for files blocks write; the gateway's
 * file read model folds both, and blocks read either.
 */
export interface StoredFile {
  id: string;
  tenantId: string;
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  createdAt: string;
}

export type FileEvent =
  | { type: 'FileStored'; data: StoredFile }
  | { type: 'FileDeleted'; data: { fileId: string; deletedBy: string; at: string } };
