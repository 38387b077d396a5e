/**
 * Final placements (BR10), pure: places read as in a bracket, shared places repeat and the
 * next place skips them (1, 2, 3, 3, 5). A place is therefore 1 + the number of teams placed
 * ahead of it, and no team is listed twice. The server checks this, and the page shows the
 * same messages at the fields before anything is sent.
 */

export interface PlacementEntry {
  teamId: number;
  place: number;
}

export interface PlacementProblem {
  /** The entry's index in the list. */
  index: number;
  field: 'teamId' | 'place';
  message: string;
}

/** 1st, 2nd, 3rd, 4th, 11th, 21st. */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** Every problem of a list of placements, each at its entry; none for a list that reads right. */
export function placementProblems(entries: readonly PlacementEntry[]): PlacementProblem[] {
  const problems: PlacementProblem[] = [];
  const seen = new Set<number>();
  entries.forEach((entry, index) => {
    if (seen.has(entry.teamId)) problems.push({ index, field: 'teamId', message: 'this team is placed twice' });
    seen.add(entry.teamId);
    const ahead = entries.filter((other) => other.place < entry.place).length;
    const expected = ahead + 1;
    if (entry.place !== expected) {
      const teams = ahead === 1 ? '1 team is' : `${ahead} teams are`;
      problems.push({
        index,
        field: 'place',
        message: `${teams} placed ahead of it, so its place is ${ordinal(expected)}, not ${ordinal(entry.place)} (shared places repeat, then skip: 1, 2, 3, 3, 5)`,
      });
    }
  });
  return problems;
}
