import { api } from '../../shared/api/contract';
import { SocketCommands } from '../../shared/realtime';
import { tournamentCaptain, tournamentCaptainOrStaff, tournamentStaff } from '../commands/authority';
import { command } from '../commands/define';
import { withServerTime } from '../deadlines/deadlines';
import { configureDraft, openDraft, pauseDraft, pickPlayer, restartDraft, resumeDraft, setQueue, startDraft, undoPick } from './draft.service';

const byTournament = (input: { tournamentId: number }) => input.tournamentId;
const staff = tournamentStaff(byTournament);

export const draftCommands = [
  command({
    name: 'draft.configure',
    rest: api.configureDraft,
    socket: SocketCommands['draft.configure'],
    allow: staff,
    run: (hub, actor, { tournamentId, ...settings }) => withServerTime(hub, configureDraft(hub, actor, tournamentId, settings)),
  }),
  command({
    name: 'draft.open',
    rest: api.openDraft,
    socket: SocketCommands['draft.open'],
    allow: staff,
    run: (hub, actor, { tournamentId, ...control }) => withServerTime(hub, openDraft(hub, actor, tournamentId, control)),
  }),
  command({
    name: 'draft.start',
    rest: api.startDraft,
    socket: SocketCommands['draft.start'],
    allow: staff,
    run: (hub, actor, { tournamentId, ...control }) => withServerTime(hub, startDraft(hub, actor, tournamentId, control)),
  }),
  command({
    name: 'draft.pause',
    rest: api.pauseDraft,
    socket: SocketCommands['draft.pause'],
    allow: staff,
    run: (hub, actor, { tournamentId, ...control }) => withServerTime(hub, pauseDraft(hub, actor, tournamentId, control)),
  }),
  command({
    name: 'draft.resume',
    rest: api.resumeDraft,
    socket: SocketCommands['draft.resume'],
    allow: staff,
    run: (hub, actor, { tournamentId, ...control }) => withServerTime(hub, resumeDraft(hub, actor, tournamentId, control)),
  }),
  command({
    name: 'draft.undo',
    rest: api.undoDraftPick,
    socket: SocketCommands['draft.undo'],
    allow: staff,
    run: (hub, actor, { tournamentId, ...control }) => withServerTime(hub, undoPick(hub, actor, tournamentId, control)),
  }),
  command({
    name: 'draft.restart',
    rest: api.restartDraft,
    socket: SocketCommands['draft.restart'],
    allow: staff,
    run: (hub, actor, { tournamentId, ...control }) => withServerTime(hub, restartDraft(hub, actor, tournamentId, control)),
  }),
  // Whose turn it is, and whether staff pick for that captain, are the draft's rules (DR3).
  command({
    name: 'draft.pick',
    rest: api.pickPlayer,
    socket: SocketCommands['draft.pick'],
    allow: tournamentCaptainOrStaff(byTournament),
    run: (hub, actor, { tournamentId, ...pick }) => withServerTime(hub, pickPlayer(hub, actor, tournamentId, pick)),
  }),
  command({
    name: 'draft.queue',
    rest: api.setDraftQueue,
    socket: SocketCommands['draft.queue'],
    allow: tournamentCaptain(byTournament),
    run: (hub, actor, { tournamentId, ...queue }) => setQueue(hub, actor, tournamentId, queue),
  }),
];
