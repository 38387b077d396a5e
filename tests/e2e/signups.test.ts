import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/deadlines/clock';
import { utcToZonedLocal } from '../../client/src/lib/time';
import type { Signup, SignupList } from '../../shared/schemas/signups';
import { type FakeOpenDota, startFakeOpenDota } from '../support/fake-opendota';
import type { HttpClient } from '../support/http';
import { startHub, type TestHub } from '../support/hub';
import { ensureClientBuilt, openBrowser, removeProfiles, type TestBrowser } from './browser';

/**
 * Players sign themselves up (issue 21), through the pages: a member on a phone links Steam and
 * signs up, staff on a desktop see it arrive and approve it without a reload, check-in opens, the
 * member is reminded in the header and checks in with one click, one approved player misses it
 * and the waitlisted player who checked in takes the place at the close. The hub's clock is
 * driven by hand, so the close comes when the test says. Other players sign up through the API.
 */

type Client = HttpClient & { userId: number };
const PHONE = { width: 390, height: 844 };
const STEAM_BASE = 76561197960265728n;
const steamOf = (accountId: number) => String(STEAM_BASE + BigInt(accountId));
const POSITIONS = { '1': 3, '2': 3, '3': 3, '4': 3, '5': 3 };

describe('sign-up, review and check-in in a browser', () => {
  let t: TestHub;
  let od: FakeOpenDota;
  let clock: ManualClock;
  let staff: Client;
  const browsers: TestBrowser[] = [];
  /** The hub's answers of 400 and above, and requests to it that failed: none is expected. */
  const failed: string[] = [];

  async function browser(cookies: Client, viewport?: { width: number; height: number }) {
    const b = await openBrowser(t.url, { cookies: cookies.cookieHeader(), ...(viewport ? { viewport } : {}) });
    b.context.setDefaultTimeout(20_000);
    b.page.on('dialog', (d) => void d.accept());
    const ours = (url: string) => url.startsWith(`${t.url}/`);
    b.page.on('response', (r) => {
      if (r.status() >= 400 && ours(r.url())) failed.push(`${r.status()} ${r.url()}`);
    });
    b.page.on('requestfailed', (r) => {
      // A read still under way when the page navigates is aborted by the browser: not a failure.
      if (ours(r.url()) && r.failure()?.errorText !== 'net::ERR_ABORTED') failed.push(`failed ${r.url()} ${r.failure()?.errorText}`);
    });
    browsers.push(b);
    return b;
  }

  /** A tournament in registration with these sign-up rules. */
  async function tournament(name: string, rules: Record<string, unknown>): Promise<number> {
    const created = await staff.post('/api/tournaments', { name, startsAt: '2030-12-01T18:00:00Z' });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as number;
    expect((await staff.patch(`/api/tournaments/${id}`, { state: 'registration' })).status).toBe(200);
    const set = await staff.put(`/api/tournaments/${id}/signup-settings`, rules);
    expect(set.status, set.text).toBe(200);
    return id;
  }

  /** A member who signs up through the API with a Steam account OpenDota knows. */
  async function signedUp(
    id: number,
    name: string,
    accountId: number,
    mmr: number,
    rank: { rank_tier: number | null; leaderboard_rank: number | null } | null = { rank_tier: 55, leaderboard_rank: null },
  ): Promise<Client> {
    const member = await t.login(name);
    // null: OpenDota does not know the account.
    od.setProfile(accountId, rank && { personaname: name, steamid: steamOf(accountId), ...rank });
    const res = await member.post(`/api/tournaments/${id}/signups`, { steamId: steamOf(accountId), declaredMmr: mmr, positions: POSITIONS });
    expect(res.status, res.text).toBe(200);
    return member;
  }

  const signups = async (id: number) => ((await t.client().get(`/api/tournaments/${id}/signups`)).body as SignupList).items;
  const signupOf = async (id: number, userId: number) => (await signups(id)).find((s) => s.user.id === userId) as Signup;
  const staffCard = (page: Page, name: string) => page.getByRole('article', { name: `Sign-up of ${name}` });

  beforeAll(async () => {
    ensureClientBuilt();
    od = await startFakeOpenDota();
    clock = new ManualClock(Date.now());
    // No Steam key: ids and profile URLs resolve through (fake) OpenDota.
    t = await startHub({ db: 'sqlite', clock, env: { ...od.env(), STEAM_API_KEY: '', OPENDOTA_RATE_MS: '10', STEAM_LIVE_POLL_MS: '3600000' } });
    staff = await t.login('su_organiser', 'staff');
  }, 120_000);

  afterAll(async () => {
    for (const b of browsers) await b.context.close();
    await t?.close();
    await od?.close();
    removeProfiles();
  });

  it(
    'SU30 a member signs up on a phone, staff approve it live on a desktop, check-in opens, a missed check-in gives the place to the waitlisted player at the close',
    { timeout: 180_000 },
    async () => {
      const id = await tournament('Sign-up Night', { capacity: 2, approval: 'manual', steamRequired: true });
      const detail = (await t.client().get(`/api/tournaments/${id}`)).body as { timeZone: string };

      // Staff watch the manage page from the start: what follows arrives without a reload.
      const desk = await browser(staff);
      await desk.page.goto(`${t.url}/tournaments/${id}/manage`, { waitUntil: 'domcontentloaded' });
      await desk.page.getByText('Nobody has signed up yet.').waitFor();

      // The member, on a phone, from the tournament page: no Steam account yet, so they link one first.
      const member = await t.login('su_phone_member');
      const MEMBER_ACCOUNT = 91000001;
      od.setProfile(MEMBER_ACCOUNT, { personaname: 'Phone Member', steamid: steamOf(MEMBER_ACCOUNT) });
      const phone = await browser(member, PHONE);
      await phone.page.goto(`${t.url}/tournaments/${id}`, { waitUntil: 'domcontentloaded' });
      await phone.page.getByRole('link', { name: 'Sign up' }).click();
      await phone.page.getByRole('heading', { name: 'Sign up: Sign-up Night' }).waitFor();
      const form = phone.page.getByRole('form', { name: 'Sign up' });
      await form.getByLabel('Your MMR').fill('4200');
      // Steam is required: said before anything is sent.
      await form.getByRole('button', { name: 'Sign up' }).click();
      await form.getByText('This tournament needs a Steam account').waitFor();
      expect(await signups(id)).toEqual([]);
      const link = phone.page.getByRole('form', { name: 'Link your Steam account' });
      await link.getByLabel('SteamID64, Friend ID or profile URL').fill(String(MEMBER_ACCOUNT));
      await link.getByRole('button', { name: 'Find and link to my profile' }).click();
      await form.getByText(steamOf(MEMBER_ACCOUNT)).waitFor();
      await form.getByLabel('1 · Carry').selectOption('5');
      await form.getByLabel('Note to staff (optional)').fill('Free after 19:00');
      await form.getByRole('button', { name: 'Sign up' }).click();
      await phone.page.getByTestId('signup-action-done').getByText('Staff will review your sign-up').waitFor();
      await phone.page.getByTestId('my-signup-state').getByText('waiting for approval').waitFor();
      // The public list shows them (public fields only).
      await phone.page.getByTestId('signup-list').getByText('su_phone_member').waitFor();

      // Staff see it arrive (no reload), with the note and the MMR check, and approve it; the
      // header counts it as staff work meanwhile.
      await desk.page.getByTestId('staff-work').getByText('1 sign-up to review (Sign-up Night)').waitFor({ state: 'attached' });
      const card = staffCard(desk.page, 'su_phone_member');
      await card.getByText('Free after 19:00').waitFor();
      await expect.poll(() => card.getByTestId('mmr-check').innerText()).not.toContain('checking');
      await card.getByRole('button', { name: 'Approve su_phone_member' }).click();
      await card.getByTestId('signup-state').getByText('approved').waitFor();
      // The member's page follows; nothing waits for staff any more.
      await phone.page.getByTestId('my-signup-state').getByText('approved').waitFor();
      await desk.page.getByTestId('staff-work').waitFor({ state: 'detached' });

      // A second approved player (who will miss check-in) and a third, waitlisted over capacity.
      const absent = await signedUp(id, 'su_absent_player', 91000002, 3900);
      await staffCard(desk.page, 'su_absent_player').getByRole('button', { name: 'Approve su_absent_player' }).click();
      await staffCard(desk.page, 'su_absent_player').getByTestId('signup-state').getByText('approved').waitFor();
      const waiting = await signedUp(id, 'su_waiting_player', 91000003, 4100);
      expect((await signupOf(id, waiting.userId)).state).toBe('waitlisted');
      await staffCard(desk.page, 'su_waiting_player').getByTestId('signup-state').getByText('waitlisted #1').waitFor();

      // Staff open check-in, closing ten minutes from now on the hub's clock.
      const closesAt = utcToZonedLocal(new Date(clock.now() + 10 * 60_000 + 60_000).toISOString(), detail.timeZone);
      const open = desk.page.getByRole('form', { name: 'Open check-in' });
      await open.getByLabel(/Check-in closes at/).fill(closesAt);
      await open.getByRole('button', { name: 'Open check-in' }).click();
      await desk.page.getByTestId('checkin-status').getByText('Check-in is open').waitFor();

      // The member, elsewhere on the hub, is reminded in the header; the profile says where they stand.
      await phone.page.goto(`${t.url}/profile`, { waitUntil: 'domcontentloaded' });
      await phone.page.getByTestId('my-signups').getByText('approved').waitFor();
      const banner = phone.page.getByTestId('checkin-banner');
      await banner.getByText('Sign-up Night').waitFor();
      await banner.getByRole('link', { name: 'Go to check-in' }).click();
      await phone.page.getByRole('button', { name: 'Check in' }).click();
      await phone.page.getByTestId('my-signup-state').getByText('approved · checked in').waitFor();
      // Checked in: the reminder is gone from the other pages too.
      await phone.page.goto(`${t.url}/profile`, { waitUntil: 'domcontentloaded' });
      await phone.page.getByTestId('my-signups').getByText('approved · checked in').waitFor();
      expect(await phone.page.getByTestId('checkin-banner').count()).toBe(0);

      // The waitlisted player checks in too; the absent one does not.
      expect((await waiting.post(`/api/tournaments/${id}/checkin`, {})).status).toBe(200);
      await staffCard(desk.page, 'su_waiting_player').getByTestId('signup-state').getByText('waitlisted #1 · checked in').waitFor();

      // The close: the absent player leaves the pool, the waitlisted one takes the place.
      clock.advance(12 * 60_000);
      await staffCard(desk.page, 'su_absent_player').getByTestId('signup-state').getByText('missed check-in').waitFor();
      await staffCard(desk.page, 'su_waiting_player').getByTestId('signup-state').getByText('approved · checked in').waitFor();
      await desk.page.getByTestId('checkin-status').getByText('Check-in closed').waitFor();
      await phone.page.goto(`${t.url}/tournaments/${id}/signup`, { waitUntil: 'domcontentloaded' });
      await phone.page.getByTestId('signup-list').locator(`tr[data-user-id="${waiting.userId}"]`).getByText('approved').waitFor();
      // Nothing on the phone's page scrolls sideways but the list's own region.
      expect(await phone.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      const pool = (await t.client().get(`/api/tournaments/${id}`)).body.players as { user: { id: number } }[];
      expect(pool.map((p) => p.user.id).sort()).toEqual([member.userId, waiting.userId].sort());
      expect(pool.map((p) => p.user.id)).not.toContain(absent.userId);

      expect(failed).toEqual([]);
      for (const b of browsers) expect(b.errors).toEqual([]);
    },
  );

  it(
    'SU31 every refusal is said plainly on the sign-up page: an MMR outside the range at the field, full (waitlisted #n), a Steam account another member uses, closed by staff or by its closing time; edit and withdraw while open',
    { timeout: 180_000 },
    async () => {
      failed.length = 0;
      const id = await tournament('Rules Cup', { capacity: 1, approval: 'automatic', mmrMin: 2000, mmrMax: 5000, steamRequired: false });
      const url = `${t.url}/tournaments/${id}/signup`;

      // Outside the MMR range: named at the field, nothing sent. Within it: in at once (automatic, a place free).
      const first = await browser(await t.login('su_rules_first'), PHONE);
      await first.page.goto(url, { waitUntil: 'domcontentloaded' });
      const form1 = first.page.getByRole('form', { name: 'Sign up' });
      await form1.getByLabel('Your MMR').fill('6000');
      await form1.getByRole('button', { name: 'Sign up' }).click();
      await form1.getByText('This tournament takes players with an MMR from 2000 to 5000.').waitFor();
      expect(await form1.getByLabel('Your MMR').getAttribute('aria-invalid')).toBe('true');
      expect(await signups(id)).toEqual([]);
      await form1.getByLabel('Your MMR').fill('4000');
      await form1.getByRole('button', { name: 'Sign up' }).click();
      await first.page.getByTestId('signup-action-done').getByText('Signed up and approved: you are in the player pool.').waitFor();

      // Full: waitlisted, with the place in line; an edit keeps it; withdrawing says so and frees the line.
      const second = await browser(await t.login('su_rules_second'));
      await second.page.goto(url, { waitUntil: 'domcontentloaded' });
      const form2 = second.page.getByRole('form', { name: 'Sign up' });
      await form2.getByLabel('Your MMR').fill('3000');
      await form2.getByRole('button', { name: 'Sign up' }).click();
      await second.page.getByTestId('signup-action-done').getByText('The places are taken: you are on the waitlist, #1.').waitFor();
      await second.page.getByTestId('my-signup-state').getByText('waitlisted #1').waitFor();
      const edit = second.page.getByRole('form', { name: 'Edit your sign-up' });
      await edit.getByLabel('Your MMR').fill('3100');
      await edit.getByRole('button', { name: 'Save changes' }).click();
      await second.page.getByTestId('signup-action-done').getByText('you are on the waitlist, #1').waitFor();
      await expect.poll(async () => (await signups(id)).find((x) => x.user.displayName === 'su_rules_second')?.declaredMmr).toBe(3100);
      await second.page.getByRole('button', { name: 'Withdraw' }).click();
      await second.page.getByTestId('signup-action-done').getByText('Your sign-up is withdrawn.').waitFor();
      // The first member's list follows: the withdrawn sign-up is no longer listed.
      await expect.poll(() => first.page.getByTestId('signup-list').getByText('su_rules_second').count()).toBe(0);

      // A Steam account another member signed up with: linked to the profile, but the sign-up is refused and says why.
      const TAKEN = 91000010;
      await signedUp(id, 'su_rules_owner', TAKEN, 3500);
      const third = await browser(await t.login('su_rules_third'), PHONE);
      await third.page.goto(url, { waitUntil: 'domcontentloaded' });
      const link = third.page.getByRole('form', { name: 'Link your Steam account' });
      await link.getByLabel('SteamID64, Friend ID or profile URL').fill(steamOf(TAKEN));
      await link.getByRole('button', { name: 'Find and link to my profile' }).click();
      const form3 = third.page.getByRole('form', { name: 'Sign up' });
      await form3.getByText(steamOf(TAKEN)).waitFor();
      await form3.getByLabel('Your MMR').fill('3000');
      await form3.getByRole('button', { name: 'Sign up' }).click();
      await form3.getByTestId('signup-error').getByText('Not signed up: this Steam account is already used by another member').waitFor();
      expect((await signups(id)).some((x) => x.user.displayName === 'su_rules_third')).toBe(false);

      // Closed by staff: the open page says so without a reload and offers no form.
      expect((await staff.put(`/api/tournaments/${id}/signup-settings`, { closed: true })).status).toBe(200);
      await third.page.getByText('Sign-up is closed.').waitFor();
      await expect.poll(() => third.page.getByRole('form', { name: 'Sign up' }).count()).toBe(0);

      // Closed by its closing time while the form was open (no event says so): the hub's refusal, in words.
      const late = await tournament('Late Cup', { steamRequired: false, closesAt: new Date(clock.now() + 5 * 60_000).toISOString() });
      const fourth = await browser(await t.login('su_rules_late'), PHONE);
      await fourth.page.goto(`${t.url}/tournaments/${late}/signup`, { waitUntil: 'domcontentloaded' });
      await fourth.page.getByText('Sign-up is open.').waitFor();
      const form4 = fourth.page.getByRole('form', { name: 'Sign up' });
      await form4.getByLabel('Your MMR').fill('3000');
      clock.advance(6 * 60_000);
      await form4.getByRole('button', { name: 'Sign up' }).click();
      await form4.getByTestId('signup-error').getByText('Not signed up: sign-up closed at').waitFor();
      expect(await signups(late)).toEqual([]);

      // The refusals the hub answered are these two 409s; everything else was said before sending.
      expect(failed).toEqual([`409 ${t.url}/api/tournaments/${id}/signups`, `409 ${t.url}/api/tournaments/${late}/signups`]);
      for (const b of browsers) expect(b.errors).toEqual([]);
    },
  );

  it(
    'SU32 staff review on the manage page: the rules form, sign-ups arriving live with what OpenDota says (or that it says nothing), approve, pool MMR, decline with a reason, waitlist on and off, check-in by hand',
    { timeout: 180_000 },
    async () => {
      failed.length = 0;
      const id = await tournament('Review Cup', { approval: 'manual', steamRequired: false });
      const desk = await browser(staff);
      const { page } = desk;
      await page.goto(`${t.url}/tournaments/${id}/manage`, { waitUntil: 'domcontentloaded' });
      await page.getByText('Nobody has signed up yet.').waitFor();

      // The rules: a ceiling under the floor is named at the field and not sent; then saved.
      await page.getByText('Sign-up rules', { exact: true }).click();
      const rules = page.getByRole('form', { name: 'Sign-up rules' });
      await rules.getByLabel('Capacity (empty: no limit)').fill('2');
      await rules.getByLabel('MMR floor (optional)').fill('3000');
      await rules.getByLabel('MMR ceiling (optional)').fill('2000');
      await rules.getByRole('button', { name: 'Save sign-up rules' }).click();
      await rules.getByText('the MMR floor is above the ceiling').waitFor();
      await rules.getByLabel('MMR floor (optional)').fill('1000');
      await rules.getByLabel('MMR ceiling (optional)').fill('9000');
      await rules.getByRole('button', { name: 'Save sign-up rules' }).click();
      await rules.getByText('Sign-up rules saved.').waitFor();
      const settings = (await t.client().get(`/api/tournaments/${id}/signup-settings`)).body;
      expect(settings).toMatchObject({ capacity: 2, mmrMin: 1000, mmrMax: 9000, approval: 'manual', steamRequired: false });

      // Four sign-ups arrive while the page is open: two take the places, two wait.
      od.setWinLoss(91000021, { win: 600, lose: 400 });
      const immortal = await signedUp(id, 'su_review_immortal', 91000021, 8000, { rank_tier: 80, leaderboard_rank: 1234 });
      await signedUp(id, 'su_review_unranked', 91000022, 3000, { rank_tier: null, leaderboard_rank: null });
      const unknown = await signedUp(id, 'su_review_unknown', 91000023, 2500, null);
      const noSteam = await t.login('su_review_nosteam');
      const body = { declaredMmr: 2000, positions: POSITIONS };
      expect((await noSteam.post(`/api/tournaments/${id}/signups`, body)).status).toBe(200);

      const card = (name: string) => staffCard(page, name);
      const state = (name: string) => card(name).getByTestId('signup-state');
      await state('su_review_nosteam').getByText('waitlisted #2').waitFor();
      await state('su_review_unknown').getByText('waitlisted #1').waitFor();
      const check = (name: string) => card(name).getByTestId('mmr-check');
      await check('su_review_immortal').getByText('Immortal').waitFor();
      await check('su_review_immortal').getByText('leaderboard #1234').waitFor();
      await check('su_review_immortal').getByText('1000 games').waitFor();
      await check('su_review_unranked').getByText('no medal (unranked or hidden)').waitFor();
      await check('su_review_unknown').getByText('not available').waitFor();
      await check('su_review_nosteam').getByText('not available (no Steam account)').waitFor();

      // Approve, and the MMR the draft uses apart from the declared one.
      await card('su_review_immortal').getByRole('button', { name: 'Approve su_review_immortal' }).click();
      await state('su_review_immortal').getByText('approved').waitFor();
      await card('su_review_immortal').getByLabel('Pool MMR', { exact: true }).fill('7777');
      await card('su_review_immortal').getByRole('button', { name: 'Save pool MMR of su_review_immortal' }).click();
      await expect
        .poll(
          async () =>
            ((await t.client().get(`/api/tournaments/${id}`)).body.players as { user: { id: number }; mmr: number }[]).find(
              (p) => p.user.id === immortal.userId,
            )?.mmr,
        )
        .toBe(7777);

      // Decline needs a reason; the freed place goes to the first on the waitlist.
      await card('su_review_unranked').getByRole('button', { name: 'Decline su_review_unranked…' }).click();
      await card('su_review_unranked').getByRole('button', { name: 'Decline su_review_unranked', exact: true }).click();
      await card('su_review_unranked').getByText('Give a reason: the player sees it.').waitFor();
      await card('su_review_unranked').getByLabel('Reason (the player sees it)').fill('Smurf account');
      await card('su_review_unranked').getByRole('button', { name: 'Decline su_review_unranked', exact: true }).click();
      await state('su_review_unranked').getByText('declined').waitFor();
      await card('su_review_unranked').getByText('Smurf account').waitFor();
      await state('su_review_unknown').getByText('waiting for approval').waitFor();

      // To the waitlist (its end), and off it into the free place. The hub's clock moves on first:
      // the waitlist is in order of time, and everything so far happened at one instant of it.
      clock.advance(1000);
      await card('su_review_unknown').getByRole('button', { name: 'Move su_review_unknown to the waitlist' }).click();
      await state('su_review_unknown').getByText('waitlisted #2').waitFor();
      await state('su_review_nosteam').getByText('waitlisted #1').waitFor();
      await card('su_review_nosteam').getByRole('button', { name: 'Take su_review_nosteam off the waitlist' }).click();
      await state('su_review_nosteam').getByText('waiting for approval').waitFor();
      expect((await signupOf(id, noSteam.userId)).state).toBe('pending');
      expect((await signupOf(id, unknown.userId)).waitlistPosition).toBe(1);

      // Check-in opens from the page; staff check a player in by hand.
      const detail = (await t.client().get(`/api/tournaments/${id}`)).body as { timeZone: string };
      const open = page.getByRole('form', { name: 'Open check-in' });
      await open.getByRole('button', { name: 'Open check-in' }).click();
      await open.getByText('Choose when check-in closes.').waitFor();
      await open.getByLabel(/Check-in closes at/).fill(utcToZonedLocal(new Date(clock.now() + 30 * 60_000).toISOString(), detail.timeZone));
      await open.getByRole('button', { name: 'Open check-in' }).click();
      await page.getByTestId('checkin-status').getByText('0 of 1 approved players checked in').waitFor();
      await card('su_review_immortal').getByRole('button', { name: 'Check su_review_immortal in' }).click();
      await state('su_review_immortal').getByText('approved · checked in').waitFor();
      await page.getByTestId('checkin-status').getByText('1 of 1 approved players checked in').waitFor();
      expect((await signupOf(id, immortal.userId)).checkedIn).toBe(true);

      // The same review on a phone: every sign-up and its actions fit the width.
      const phone = await browser(staff, PHONE);
      await phone.page.goto(`${t.url}/tournaments/${id}/manage`, { waitUntil: 'domcontentloaded' });
      await staffCard(phone.page, 'su_review_immortal').getByTestId('mmr-check').getByText('Immortal').waitFor();
      expect(await phone.page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      expect(phone.errors).toEqual([]);

      expect(failed).toEqual([]);
      expect(desk.errors).toEqual([]);
    },
  );
});
