import type { FlowDefinition } from './schema.js';

// Placeholder until the calendar branch merges (replaced by its flows/calendar.ts).
const DAY = 86_400_000;
export function addWorkingDays(_def: Pick<FlowDefinition, 'timeZone'>, at: number, days: number): number {
  return at + days * DAY;
}
export function addWorkingHours(_def: Pick<FlowDefinition, 'timeZone'>, at: number, hours: number): number {
  return at + hours * 3_600_000;
}
