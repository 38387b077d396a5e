/**
 * Steam writes lobby ids, server steam ids, team logos and SteamID64s as raw JSON numbers past
 * 2^53 (ST2), and its game clock and map positions as long floats (1759.669677734375). Only
 * the former lose digits in a double, so only integer literals beyond Number.MAX_SAFE_INTEGER
 * are put in quotes before the native parser reads the text: they come back as their exact
 * text, and every float stays a number. The native parser also keeps the last of repeated keys
 * (`abilities` in live league games) instead of failing.
 */
// A string (skipped as a whole, so digits inside it are never touched), or a number literal.
const TOKEN = /"[^"\\]*(?:\\.[^"\\]*)*"|-?\d+(\.\d+)?([eE][+-]?\d+)?/g;
const MAX_SAFE = String(Number.MAX_SAFE_INTEGER);

function beyondDouble(integer: string): boolean {
  const digits = integer.startsWith('-') ? integer.slice(1) : integer;
  // Same length: decimal text compares like the numbers (JSON has no leading zeros).
  return digits.length > MAX_SAFE.length || (digits.length === MAX_SAFE.length && digits > MAX_SAFE);
}

/** The JSON text with every integer literal beyond 2^53 − 1 written as a string. */
export function quoteBigIntegers(text: string): string {
  return text.replace(TOKEN, (token, fraction: string | undefined, exponent: string | undefined) =>
    token.startsWith('"') || fraction !== undefined || exponent !== undefined || !beyondDouble(token) ? token : `"${token}"`,
  );
}

export function parseLossless(text: string): unknown {
  return JSON.parse(quoteBigIntegers(text));
}

/** An id as its exact decimal text, whichever way the parser kept it. */
export function idText(value: unknown): string | null {
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return null;
}

/** Steam's account id for a hidden player. */
export const ANONYMOUS_ACCOUNT_ID = 4294967295;

/**
 * A whole number from an upstream answer, 0 when missing or malformed. A fraction is cut, not
 * rounded: every field the hub keeps is a count or whole seconds (the game clock at 1759.67 s
 * shows 29:19, as in the game). Map positions are the only fractional data and are not kept.
 */
export const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0);
/** A team's name, null when missing or blank (pub games send ""): the caller says Radiant or Dire. */
export const teamName = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
/** A 32-bit account id, null for a missing or anonymous player. */
export const account = (v: unknown) => (typeof v === 'number' && v > 0 && v !== ANONYMOUS_ACCOUNT_ID ? v : null);

/**
 * One player of a finished match. Steam's match history by sequence number and OpenDota's match
 * details share these field names. OpenDota leaves net_worth out for older matches; its
 * total_gold (gold earned over the game) is another quantity, so it is kept apart and net worth
 * stays null rather than standing in for it.
 */
export function matchPlayer(p: Record<string, unknown>) {
  return {
    accountId: account(p.account_id),
    playerSlot: num(p.player_slot),
    heroId: num(p.hero_id),
    kills: num(p.kills),
    deaths: num(p.deaths),
    assists: num(p.assists),
    lastHits: num(p.last_hits),
    denies: num(p.denies),
    gpm: num(p.gold_per_min),
    xpm: num(p.xp_per_min),
    netWorth: typeof p.net_worth === 'number' ? num(p.net_worth) : null,
    totalGold: typeof p.total_gold === 'number' ? num(p.total_gold) : null,
  };
}
