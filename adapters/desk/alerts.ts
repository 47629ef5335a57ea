import type { AgentRef, DeskAlert } from '../../flows/contracts.js';

/**
 * Whom a desk alert calls, in every desk (Slack, the playground): the agent named, for a reminder
 * of a matter they claimed and for a customer waiting on their reply (`reply-late`); everyone
 * at the desk for a claim SLA and a reminder nobody claimed; the supervisors for the rest.
 */
export function alertAudience(level: DeskAlert, agent: AgentRef | undefined): AgentRef | 'here' | 'supervisors' {
  if ((level === 'reminder' || level === 'reply-late') && agent) return agent;
  return level === 'sla' || level === 'reminder' ? 'here' : 'supervisors';
}
