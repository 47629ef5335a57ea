import type { Choice } from '../../flows/contracts.js';
import type { FlowDefinition } from '../../flows/schema.js';
import type { FlowFiles, FlowTestFigures, PublishedFlowVersion } from '../flow-versions-port.js';

/**
 * What the console's flows pages (adapters/console/flows) call besides the stores: publishing
 * (P's bots/flow-publishing.ts), and the preview chat (bots/preview.ts), as ports, so the pages
 * never reach the engine themselves.
 */

/** One problem of a set of files: its file, the path in it (`faq[3].answer`), what is wrong. */
export interface FlowProblem {
  file: string;
  path: string;
  message: string;
}

export type CheckOutcome = { ok: true; definitions: FlowDefinition[] } | { ok: false; problems: FlowProblem[] };

export type PublishResult =
  | { ok: true; version: PublishedFlowVersion; unchanged: boolean }
  | { ok: false; problems: FlowProblem[]; figures?: FlowTestFigures | undefined };

export type RollbackResult =
  { ok: true; version: PublishedFlowVersion; unchanged: boolean } | { ok: false; problems: FlowProblem[] };

/** Publishing, as bots/flow-publishing.ts does it (the composition root binds its deps). */
export interface FlowPublishing {
  /** flows:check on a set of files (checkFlowFiles with the default locale). */
  check(files: FlowFiles): Promise<CheckOutcome>;
  /** flows:test's figures of valid definitions (scoreFlowFiles on the corpus). */
  score(definitions: readonly FlowDefinition[]): Promise<FlowTestFigures>;
  /** publishFlows: validates, scores, stores, activates, tells the fleet, audits. */
  publish(draft: { files: FlowFiles; author: string; message: string }): Promise<PublishResult>;
  /** rollbackFlows. */
  rollback(request: { id: number; by: string }): Promise<RollbackResult>;
}

/** What the admin types or presses in the preview, as a customer would. */
export type PreviewInput = { type: 'text'; text: string } | { type: 'choice'; choice: string } | { type: 'start' };

/** One bot message the preview shows, with its buttons. */
export interface PreviewReply {
  text: string;
  choices: Choice[];
}

export type PreviewResult = { ok: true; replies: PreviewReply[] } | { ok: false; problems: FlowProblem[] };

/** The preview chat (bots/preview.ts PreviewChats): one conversation per console session, on the draft. */
export interface PreviewPort {
  say(sessionKey: string, files: FlowFiles, input: PreviewInput, localeHint?: string): Promise<PreviewResult>;
  reset(sessionKey: string): Promise<void>;
}
