// bots/flow-versions-port.ts (P writes it first and commits it early; C and E copy this text if they need it before merge)
/** A flow folder's files by file name, e.g. { 'zh-CN.yaml': '…', 'en.yaml': '…' }. */
export type FlowFiles = Readonly<Record<string, string>>;
/** flows:test figures of one set of definitions on the corpus (shares 0–1). */
export interface FlowTestFigures {
  locales: Array<{ locale: string; sentences: number; accuracy: number; wrongTopic: number; met: boolean }>;
  guard?: { caught: number; falseAlarms: number; met: boolean } | undefined;
  heldOut?: Array<{ locale: string; sentences: number; accuracy: number; wrongTopic: number }> | undefined;
  /**
   * Locales only one side has, so not scored and not held against the version: the corpus has
   * sentences but no definition serves the locale, or a definition has no corpus sentences.
   */
  notScored?: Array<{ locale: string; reason: 'no definition' | 'no corpus' }> | undefined;
  /** Every threshold met (the publish gate). */
  met: boolean;
}
export interface PublishedFlowVersion {
  /** 1, 2, 3… in publishing order: what admins see ("v7"). */
  id: number;
  /** The content hash the FlowRegistry reports as its version and tickets record (12 hex chars). */
  hash: string;
  files: FlowFiles;
  author: string;
  message: string;
  createdAt: number; // epoch ms
  figures: FlowTestFigures | null;
}
export interface FlowVersionSummary extends Omit<PublishedFlowVersion, 'files'> {
  active: boolean;
}
export interface FlowVersionStore {
  active(): Promise<PublishedFlowVersion | undefined>;
  get(id: number): Promise<PublishedFlowVersion | undefined>;
  /** Newest first. */
  list(limit?: number): Promise<FlowVersionSummary[]>;
  /** Stores a new version and makes it active, in one transaction. */
  publish(v: {
    files: FlowFiles;
    author: string;
    message: string;
    figures: FlowTestFigures | null;
  }): Promise<PublishedFlowVersion>;
  /** Makes an earlier version active again (rollback). */
  activate(id: number, by: string): Promise<void>;
}
/** The admin audit log (who, what, when), in the record. */
export interface AuditEntry {
  at: number;
  actor: string;
  action: string;
  target?: string | undefined;
  detail?: Record<string, unknown> | undefined;
}
export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  list(query?: { limit?: number; before?: number; actor?: string; action?: string }): Promise<AuditEntry[]>;
}
