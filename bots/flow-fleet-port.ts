import type { FlowVersionStore, PublishedFlowVersion } from './flow-versions-port.js';

/**
 * What every replica needs beyond the version store (bots/flow-versions-port.ts) to serve the
 * active published flow version and switch when another one becomes active (issue 15: every
 * replica within 5 s).
 */

/** Which version is active, without its files. */
export interface ActiveFlowPointer {
  id: number;
  hash: string;
}

/** The record's version store, with the cheap read each replica repeats every few seconds. */
export interface ActiveFlowVersions extends FlowVersionStore {
  /** The active version's id and hash (one small row); undefined when nothing is published yet. */
  pointer(): Promise<ActiveFlowPointer | undefined>;
}

/**
 * The fleet's signal (Redis pub/sub on `<REDIS_PREFIX>flows:active`) and the copy of the active
 * version kept beside it (the key of the same name), which a replica boots on when the record
 * cannot be reached. Both are hints: the record's pointer is the truth, checked every few seconds.
 */
export interface FlowFleetSignal {
  /** Keeps `version` as the active copy and tells every listening replica it is active. */
  announce(version: PublishedFlowVersion): Promise<void>;
  /** Keeps `version` as the active copy without telling anyone (a replica that booted on it). */
  remember(version: PublishedFlowVersion): Promise<void>;
  /** The copy kept, when there is a readable one. */
  cached(): Promise<PublishedFlowVersion | undefined>;
  /** Calls `onActive` for every announcement from now on (any replica's, this one's included). */
  listen(onActive: (pointer: ActiveFlowPointer) => void): Promise<void>;
  close(): Promise<void>;
}
