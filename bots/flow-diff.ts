import { formatPatch, structuredPatch } from 'diff';
import type { FlowFiles } from './flow-versions-port.js';

/**
 * What changed between two sets of flow files (the draft and the active version, or any two
 * versions), file by file, as unified-diff hunks (the `diff` package's structuredPatch). The one
 * diff of flows: the console's diff page lays the data out, and `npm run flows -- diff` prints it
 * as a unified diff (`unifiedDiff`, the package's formatPatch).
 */

export interface DiffLine {
  kind: 'context' | 'added' | 'removed';
  text: string;
  /** 1-based line numbers in the old and the new file (absent on the side the line is not in). */
  oldLine?: number | undefined;
  newLine?: number | undefined;
  /** The last line of its file, with no newline after it ("\ No newline at end of file"). */
  noNewline?: true | undefined;
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

const NO_NEWLINE = '\\ No newline at end of file';

/** The hunk's lines as data, numbered on both sides. */
function linesOf(h: { oldStart: number; newStart: number; lines: string[] }): DiffLine[] {
  let oldLine = h.oldStart;
  let newLine = h.newStart;
  const lines: DiffLine[] = [];
  for (const raw of h.lines) {
    const mark = raw[0];
    const text = raw.slice(1);
    if (mark === '\\') {
      const last = lines.at(-1);
      if (last) last.noNewline = true;
    } else if (mark === '+') lines.push({ kind: 'added', text, newLine: newLine++ });
    else if (mark === '-') lines.push({ kind: 'removed', text, oldLine: oldLine++ });
    else lines.push({ kind: 'context', text, oldLine: oldLine++, newLine: newLine++ });
  }
  return lines;
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
    const hunks = patch.hunks.map((h) => ({
      oldStart: h.oldStart,
      oldLines: h.oldLines,
      newStart: h.newStart,
      newLines: h.newLines,
      lines: linesOf(h),
    }));
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

const MARK = { context: ' ', added: '+', removed: '-' } as const;

/**
 * A diff as unified-diff text, one patch per file, headed `--- A/file` and `+++ B/file` with the
 * two sides' labels (`v1`, `v2`); a file only on one side is diffed against /dev/null. Empty when
 * nothing differs. What `patch` and `git apply` read.
 */
export function unifiedDiff(diffs: readonly FileDiff[], labels: { a: string; b: string }): string {
  return diffs
    .map((d) =>
      formatPatch({
        oldFileName: d.status === 'added' ? '/dev/null' : `${labels.a}/${d.file}`,
        newFileName: d.status === 'removed' ? '/dev/null' : `${labels.b}/${d.file}`,
        oldHeader: undefined,
        newHeader: undefined,
        hunks: d.hunks.map((h) => ({
          oldStart: h.oldStart,
          oldLines: h.oldLines,
          newStart: h.newStart,
          newLines: h.newLines,
          lines: h.lines.flatMap((l) => [`${MARK[l.kind]}${l.text}`, ...(l.noNewline ? [NO_NEWLINE] : [])]),
        })),
      }),
    )
    .join('');
}
