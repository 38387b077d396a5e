import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLimiter } from '../../server/steam/limiter';
import { createOpenDotaClient } from '../../server/steam/opendota.client';
import { type FakeOpenDota, startFakeOpenDota } from '../support/fake-opendota';
import { steamId64 } from '../steam/fixtures';

describe("the OpenDota client's rank and win/loss readings (MMR check)", () => {
  let od: FakeOpenDota;
  let now = Date.parse('2026-12-01T18:00:00Z');
  const client = () =>
    createOpenDotaClient({ base: od.url, limiter: createMemoryLimiter(), rateMs: 10, backoffMs: 100, log: pino({ level: 'silent' }), now: () => now });

  beforeAll(async () => {
    od = await startFakeOpenDota();
  });
  afterAll(() => od?.close());

  it('SU8 the profile and the rank of one account are cached apart (one URL, two readings), each for minutes', async () => {
    const c = client();
    const account = 4_200_001;
    od.setProfile(account, { personaname: 'Twice', steamid: steamId64(account), rank_tier: 80, leaderboard_rank: 1234 });
    expect((await c.player(account)).data).toMatchObject({ personaName: 'Twice' });
    const rank = await c.rank(account);
    expect(rank.data).toEqual({ known: true, personaName: 'Twice', rankTier: 80, leaderboardRank: 1234 });
    const calls = od.requests.filter((r) => r.path === `/players/${account}`).length;
    now += 4 * 60_000;
    await c.rank(account);
    expect(od.requests.filter((r) => r.path === `/players/${account}`)).toHaveLength(calls);
    now += 2 * 60_000;
    await c.rank(account);
    expect(od.requests.filter((r) => r.path === `/players/${account}`)).toHaveLength(calls + 1);
  });

  it('SU8 nulls and missing objects: an unknown account has no profile; an unranked one null rank; no games is 0–0', async () => {
    const c = client();
    expect((await c.rank(4_200_002)).data).toEqual({ known: false, personaName: null, rankTier: null, leaderboardRank: null });
    od.setProfile(4_200_003, { personaname: 'Fresh', steamid: steamId64(4_200_003), rank_tier: null });
    expect((await c.rank(4_200_003)).data).toMatchObject({ known: true, rankTier: null, leaderboardRank: null });
    expect((await c.winLoss(4_200_003)).data).toEqual({ wins: 0, losses: 0 });
    od.setWinLoss(4_200_004, { win: 12, lose: 7 });
    expect((await c.winLoss(4_200_004)).data).toEqual({ wins: 12, losses: 7 });
  });
});
