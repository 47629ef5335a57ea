import { structuredPatch } from 'diff';
import type { FlowFiles } from '../flow-versions-port.js';

/**
 * What changed between two sets of flow files (the draft and the active version, or any two
 * versions), file by file, as unified-diff hunks (the `diff` package's structuredPatch): data
 * the console's diff page lays out, and `flows diff` can print.
 */

export interface DiffLine {
  kind: 'context' | 'added' | 'removed';
  text: string;
  /** 1-based line numbers in the old and the new file (absent on the side the line is not in). */
  oldLine?: number | undefined;
  newLine?: number | undefined;
}

export interface DiffHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: DiffLine[];
}

export interface FileDiff {
  file: string;
  status: 'added' | 'removed' | 'changed';
  added: number;
  removed: number;
  hunks: DiffHunk[];
}

/** The files that differ, by name, with `context` unchanged lines around each change (3 by default). */
export function diffFlowFiles(before: FlowFiles, after: FlowFiles, context = 3): FileDiff[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const out: FileDiff[] = [];
  for (const file of names) {
    const a = before[file];
    const b = after[file];
    if (a === b) continue;
    const patch = structuredPatch(file, file, a ?? '', b ?? '', undefined, undefined, { context });
    const hunks = patch.hunks.map((h) => {
      let oldLine = h.oldStart;
      let newLine = h.newStart;
      const lines: DiffLine[] = [];
      for (const raw of h.lines) {
        const mark = raw[0];
        const text = raw.slice(1);
        if (mark === '\\') continue; // "\ No newline at end of file"
        if (mark === '+') lines.push({ kind: 'added', text, newLine: newLine++ });
        else if (mark === '-') lines.push({ kind: 'removed', text, oldLine: oldLine++ });
        else lines.push({ kind: 'context', text, oldLine: oldLine++, newLine: newLine++ });
      }
      return { oldStart: h.oldStart, oldLines: h.oldLines, newStart: h.newStart, newLines: h.newLines, lines };
    });
    const count = (kind: DiffLine['kind']) =>
      hunks.reduce((n, h) => n + h.lines.filter((l) => l.kind === kind).length, 0);
    out.push({
      file,
      status: a === undefined ? 'added' : b === undefined ? 'removed' : 'changed',
      added: count('added'),
      removed: count('removed'),
      hunks,
    });
  }
  return out;
}
