/**
 * "Did you mean …?" suggestions. Comparing every unknown name with every known one is quadratic:
 * 4,000 roles reporting to 4,000 unknown roles took 100 s (issue 14). Each comparison now stops as
 * soon as it cannot beat the best so far, and all suggestions of one compile share a budget of
 * character comparisons; past it, diagnostics simply carry no suggestion. The budget is counted,
 * not timed, so output stays deterministic.
 */

/** Character comparisons all suggestions of one compile may make (a fraction of a second). */
const BUDGET = 20_000_000;
let left = BUDGET;

/** Called once per compile (`checkSources`), so one compile's hostile input cannot starve the next. */
export function resetSuggestionBudget(): void {
  left = BUDGET;
}

/** Levenshtein distance of `a` and `b` when it is at most `limit`, else `limit + 1` (computed no further). */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  left -= a.length * b.length;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    let smallest = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
      if (row[j]! < smallest) smallest = row[j]!;
    }
    if (smallest > limit) return limit + 1;
  }
  return row[b.length]!;
}

/** The closest candidate when it is close enough to be a typo, compared case-insensitively. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    if (left <= 0) return undefined;
    const d = distance(wanted, candidate.toLowerCase(), bestDistance);
    if (d < bestDistance || (d === bestDistance && best !== undefined && candidate < best)) {
      if (d < bestDistance) bestDistance = d;
      best = candidate;
    }
  }
  return best;
}

export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const hit = closest(name, candidates);
  return hit === undefined ? undefined : `did you mean \`${hit}\`?`;
}
