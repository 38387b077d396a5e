import JSONbig from 'json-bigint';

/**
 * Steam writes lobby ids, server steam ids, team logos and SteamID64s as raw JSON numbers past
 * 2^53 (ST2). json-bigint keeps every number longer than 15 digits as its exact text; shorter
 * ones fit a double. Repeated keys (`abilities` in live league games) keep the last value
 * instead of failing.
 */
const parser = JSONbig({ storeAsString: true, strict: false, protoAction: 'ignore', constructorAction: 'ignore' });

export function parseLossless(text: string): unknown {
  return parser.parse(text);
}

/** An id as its exact decimal text, whichever way the parser kept it. */
export function idText(value: unknown): string | null {
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return null;
}

/** Steam's account id for a hidden player. */
export const ANONYMOUS_ACCOUNT_ID = 4294967295;

/** A whole number from an upstream answer, 0 when missing or malformed. */
export const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0);
/** A 32-bit account id, null for a missing or anonymous player. */
export const account = (v: unknown) => (typeof v === 'number' && v > 0 && v !== ANONYMOUS_ACCOUNT_ID ? v : null);

/**
 * One player of a finished match. Steam's match history by sequence number and OpenDota's match
 * details share these field names; OpenDota sometimes has total_gold where net_worth is missing.
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
    netWorth: num(p.net_worth ?? p.total_gold),
  };
}
