/**
 * Lines one side meant to say, in order, against what the other side received, in order: which
 * copies belong to which line, found the way a reader would. First the longest run in order (a
 * longest common subsequence); then a line left over takes a received copy that came out of
 * place (out of order); then every copy still left over goes to a line it repeats (a duplicate:
 * the latest line with the same words that had already arrived, else the first), or stays extra
 * (received, never meant).
 */
export interface Alignment {
  /** Per line, the indices of the copies received for it, in arrival order: none is lost, more than one are duplicates. */
  copiesOf: number[][];
  /** Lines whose first copy arrived out of place (their indices). */
  outOfOrder: number[];
  /** Copies that repeat no line at all. */
  extra: number[];
}

export function align<L, R>(
  lines: readonly L[],
  received: readonly R[],
  same: (line: L, got: R) => boolean,
): Alignment {
  const n = lines.length;
  const m = received.length;
  // lcs[i * (m + 1) + j]: the longest run in order of lines[i..] within received[j..].
  const lcs = new Int32Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => lcs[i * (m + 1) + j] ?? 0;
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i * (m + 1) + j] = same(lines[i]!, received[j]!)
        ? at(i + 1, j + 1) + 1
        : Math.max(at(i + 1, j), at(i, j + 1));
  const copiesOf: number[][] = lines.map(() => []);
  const taken = new Array<boolean>(m).fill(false);
  for (let i = 0, j = 0; i < n && j < m;) {
    if (same(lines[i]!, received[j]!) && at(i, j) === at(i + 1, j + 1) + 1) {
      copiesOf[i]!.push(j);
      taken[j] = true;
      i++;
      j++;
    } else if (at(i + 1, j) >= at(i, j + 1)) i++;
    else j++;
  }
  const outOfOrder: number[] = [];
  copiesOf.forEach((copies, i) => {
    if (copies.length > 0) return;
    const j = received.findIndex((got, k) => !taken[k] && same(lines[i]!, got));
    if (j < 0) return;
    copies.push(j);
    taken[j] = true;
    outOfOrder.push(i);
  });
  const extra: number[] = [];
  received.forEach((got, j) => {
    if (taken[j]) return;
    const repeats = lines.flatMap((line, i) => (same(line, got) ? [i] : []));
    const earlier = repeats.filter((i) => (copiesOf[i]![0] ?? Infinity) < j);
    const owner = earlier.at(-1) ?? repeats[0];
    if (owner === undefined) return void extra.push(j);
    copiesOf[owner]!.push(j);
    copiesOf[owner]!.sort((a, b) => a - b);
  });
  return { copiesOf, outOfOrder, extra };
}

/** Queue lines' patterns, made once. */
const gapped = new Map<string, RegExp>();

/**
 * Whether a sent text is the transcript's line: equal, or for a queue message (its `{position}`
 * and `{wait}` are filled at delivery, and read "…" in the transcript) equal around the gaps.
 */
export function sameText(line: string, sent: string): boolean {
  if (!line.includes('…')) return line === sent;
  let pattern = gapped.get(line);
  if (!pattern) {
    const parts = line.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    pattern = new RegExp(`^${parts.join('.+?')}$`, 's');
    gapped.set(line, pattern);
  }
  return pattern.test(sent);
}
