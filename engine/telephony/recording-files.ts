/**
 * The telephone system's store of finished recordings (Asterisk's spool), in our words: the
 * engine fetches each finished recording from it and deletes it there once stored safely.
 */
export interface StoredRecordingFile {
  bytes: Buffer;
  contentType: string;
  /** The length the server announced (Content-Length), to see a truncated transfer. */
  declaredLength: number | null;
}

export interface RecordingFiles {
  /** The stored recording's file. Rejects with TelephonyError (`not-found`, `unavailable`…). */
  fetch(name: string): Promise<StoredRecordingFile>;
  /** Removes it from the telephone system. Rejects with TelephonyError (`not-found`…). */
  delete(name: string): Promise<void>;
}
