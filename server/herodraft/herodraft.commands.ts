import { api } from '../../shared/api/contract';
import { SocketCommands } from '../../shared/realtime';
import type { HeroDraftChoice } from '../../shared/schemas/herodraft';
import { heroDraftCaptain, heroDraftCaptainOrStaff, heroDraftStaff, tournamentStaff } from '../commands/authority';
import { command } from '../commands/define';
import { withServerTime } from '../deadlines/deadlines';
import {
  abandonHeroDraft,
  chooseFirstPickOrSide,
  pauseHeroDraft,
  penalizeTeam,
  pickOrBanHero,
  resetHeroDraft,
  resumeHeroDraft,
  setReady,
} from './herodraft.service';
import { configureHeroDraft, createHeroDraft } from './herodraft.setup';

const byHeroDraft = (input: { heroDraftId: number }) => input.heroDraftId;
const staff = heroDraftStaff(byHeroDraft);
const captain = heroDraftCaptain(byHeroDraft);

export const heroDraftCommands = [
  command({
    name: 'herodraft.create',
    rest: api.createHeroDraft,
    socket: SocketCommands['herodraft.create'],
    allow: tournamentStaff((input: { tournamentId: number }) => input.tournamentId),
    run: (hub, actor, { tournamentId, ...draft }) => withServerTime(hub, createHeroDraft(hub, actor, tournamentId, draft)),
  }),
  command({
    name: 'herodraft.configure',
    rest: api.configureHeroDraft,
    socket: SocketCommands['herodraft.configure'],
    allow: staff,
    run: (hub, actor, { heroDraftId, ...timings }) => withServerTime(hub, configureHeroDraft(hub, actor, heroDraftId, timings)),
  }),
  command({
    name: 'herodraft.ready',
    rest: api.readyHeroDraft,
    socket: SocketCommands['herodraft.ready'],
    allow: captain,
    run: (hub, actor, { heroDraftId, ...ready }) => withServerTime(hub, setReady(hub, actor, heroDraftId, ready)),
  }),
  // Which captain won the toss, and whose step is on, are Captains Mode's rules (CM2, CM3).
  command({
    name: 'herodraft.choose',
    rest: api.chooseHeroDraft,
    fromRest: (params: { heroDraftId: number }, choice: HeroDraftChoice) => ({ heroDraftId: params.heroDraftId, choice }),
    socket: SocketCommands['herodraft.choose'],
    allow: captain,
    run: (hub, actor, { heroDraftId, choice }) => withServerTime(hub, chooseFirstPickOrSide(hub, actor, heroDraftId, choice)),
  }),
  command({
    name: 'herodraft.act',
    rest: api.actHeroDraft,
    socket: SocketCommands['herodraft.act'],
    allow: captain,
    run: (hub, actor, { heroDraftId, ...step }) => withServerTime(hub, pickOrBanHero(hub, actor, heroDraftId, step)),
  }),
  command({
    name: 'herodraft.pause',
    rest: api.pauseHeroDraft,
    socket: SocketCommands['herodraft.pause'],
    allow: staff,
    run: (hub, actor, { heroDraftId, ...pause }) => withServerTime(hub, pauseHeroDraft(hub, actor, heroDraftId, pause)),
  }),
  // Staff resume at once; the two captains resume together, each voting.
  command({
    name: 'herodraft.resume',
    rest: api.resumeHeroDraft,
    socket: SocketCommands['herodraft.resume'],
    allow: heroDraftCaptainOrStaff(byHeroDraft),
    run: (hub, actor, { heroDraftId, ...control }) => withServerTime(hub, resumeHeroDraft(hub, actor, heroDraftId, control)),
  }),
  command({
    name: 'herodraft.reset',
    rest: api.resetHeroDraft,
    socket: SocketCommands['herodraft.reset'],
    allow: staff,
    run: (hub, actor, { heroDraftId, ...control }) => withServerTime(hub, resetHeroDraft(hub, actor, heroDraftId, control)),
  }),
  command({
    name: 'herodraft.abandon',
    rest: api.abandonHeroDraft,
    socket: SocketCommands['herodraft.abandon'],
    allow: staff,
    run: (hub, actor, { heroDraftId, ...control }) => withServerTime(hub, abandonHeroDraft(hub, actor, heroDraftId, control)),
  }),
  command({
    name: 'herodraft.penalty',
    rest: api.penalizeHeroDraft,
    socket: SocketCommands['herodraft.penalty'],
    allow: staff,
    run: (hub, actor, { heroDraftId, ...penalty }) => withServerTime(hub, penalizeTeam(hub, actor, heroDraftId, penalty)),
  }),
];
