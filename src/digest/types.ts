/** Digest summaries are part of the model (queued notifications carry them): re-exported here for the digest code. */
export * from '../model/digest-summary';
