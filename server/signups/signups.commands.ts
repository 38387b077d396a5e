import { api } from '../../shared/api/contract';
import { signedInOn, tournamentStaff } from '../commands/authority';
import { command } from '../commands/define';
import { approve, checkInFor, checkInSelf, decline, openCheckIn, setSignupPoolMmr, setWaitlisted, signUp, updateSettings, withdraw } from './signups.service';

const byTournament = (input: { tournamentId: number }) => input.tournamentId;

export const signupCommands = [
  command({
    name: 'signup.settings',
    rest: api.updateSignupSettings,
    allow: tournamentStaff(byTournament),
    run: (hub, actor, { tournamentId, ...settings }) => updateSettings(hub, actor, tournamentId, settings),
  }),
  command({
    name: 'signup.submit',
    rest: api.signUp,
    allow: signedInOn(byTournament),
    run: (hub, actor, { tournamentId, ...input }) => signUp(hub, actor, tournamentId, input),
  }),
  command({
    name: 'signup.withdraw',
    rest: api.withdrawSignup,
    allow: signedInOn(byTournament),
    run: (hub, actor, { tournamentId }) => withdraw(hub, actor, tournamentId),
  }),
  command({
    name: 'signup.approve',
    rest: api.approveSignup,
    allow: tournamentStaff(byTournament),
    run: (hub, actor, { tournamentId, userId }) => approve(hub, actor, tournamentId, userId),
  }),
  command({
    name: 'signup.decline',
    rest: api.declineSignup,
    allow: tournamentStaff(byTournament),
    run: (hub, actor, { tournamentId, userId, reason }) => decline(hub, actor, tournamentId, userId, reason),
  }),
  command({
    name: 'signup.waitlist',
    rest: api.waitlistSignup,
    allow: tournamentStaff(byTournament),
    run: (hub, actor, { tournamentId, userId, on }) => setWaitlisted(hub, actor, tournamentId, userId, on),
  }),
  command({
    name: 'signup.update',
    rest: api.updateSignup,
    allow: tournamentStaff(byTournament),
    run: (hub, actor, { tournamentId, userId, poolMmr }) => setSignupPoolMmr(hub, actor, tournamentId, userId, poolMmr),
  }),
  command({
    name: 'checkin.open',
    rest: api.openCheckIn,
    allow: tournamentStaff(byTournament),
    run: (hub, actor, { tournamentId, closesAt }) => openCheckIn(hub, actor, tournamentId, closesAt),
  }),
  command({
    name: 'checkin.self',
    rest: api.checkIn,
    allow: signedInOn(byTournament),
    run: (hub, actor, { tournamentId }) => checkInSelf(hub, actor, tournamentId),
  }),
  command({
    name: 'checkin.staff',
    rest: api.checkInFor,
    allow: tournamentStaff(byTournament),
    run: (hub, actor, { tournamentId, userId }) => checkInFor(hub, actor, tournamentId, userId),
  }),
];
