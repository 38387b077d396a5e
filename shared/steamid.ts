/**
 * Steam ids as players type them: a SteamID64, a 32-bit account id (what Dota shows as
 * "Friend ID"), or a steamcommunity.com/profiles/<id64> URL. All normalise to one SteamID64
 * string; BigInt because the values exceed 2^53.
 */
export const STEAM_ID64_BASE = 76561197960265728n;
const MAX_ACCOUNT_ID = 4294967294n; // 4294967295 is Steam's "anonymous" account id

const PROFILE_URL = /^(?:https?:\/\/)?(?:www\.)?steamcommunity\.com\/profiles\/(\d{17})\/?$/i;

export type SteamIdResult = { ok: true; steamId64: string } | { ok: false; reason: string };

export function normalizeSteamId(input: string): SteamIdResult {
  const text = input.trim();
  const fromUrl = PROFILE_URL.exec(text);
  const digits = fromUrl ? fromUrl[1]! : text;
  if (/steamcommunity\.com\/id\//i.test(text)) {
    return { ok: false, reason: 'custom profile URLs (/id/name) cannot be resolved here; use the /profiles/<SteamID64> URL or the numeric id' };
  }
  if (!/^\d{1,20}$/.test(digits)) {
    return { ok: false, reason: 'expected a SteamID64, a 32-bit account id or a steamcommunity.com/profiles/ URL' };
  }
  const value = BigInt(digits);
  if (value >= STEAM_ID64_BASE) {
    if (value - STEAM_ID64_BASE > MAX_ACCOUNT_ID || digits.length !== 17) {
      return { ok: false, reason: 'not a valid individual SteamID64' };
    }
    return { ok: true, steamId64: value.toString() };
  }
  if (value < 1n || value > MAX_ACCOUNT_ID) {
    return { ok: false, reason: 'account id out of range' };
  }
  return { ok: true, steamId64: (value + STEAM_ID64_BASE).toString() };
}

export function steamAccountId(steamId64: string): number {
  return Number(BigInt(steamId64) - STEAM_ID64_BASE);
}
