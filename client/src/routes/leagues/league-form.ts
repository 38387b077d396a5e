/**
 * The Steam league id field: empty is "none", anything else a whole number. Typed as text, not
 * a number input, so a half-typed value is named rather than silently dropped.
 */
export function parseSteamLeagueId(text: string): { ok: true; value: number | null } | { ok: false; message: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: null };
  if (!/^\d{1,10}$/.test(trimmed) || Number(trimmed) < 1 || Number(trimmed) > 2_147_483_647) {
    return { ok: false, message: "a whole number: the league's id on Steam (e.g. 15728), or empty for none" };
  }
  return { ok: true, value: Number(trimmed) };
}
