import { api } from '../../shared/api/contract';
import { signedIn, siteStaff, tournamentStaff } from '../commands/authority';
import { command } from '../commands/define';
import { linkOwnSteam, linkSteamOf } from '../steam/steam-link.service';
import { decideLink } from './import.service';
import { importForTournament } from './tournament-import.service';

const byTournament = (input: { tournamentId: number }) => input.tournamentId;

export const matchCommands = [
  command({ name: 'steam.linkMine', rest: api.linkMySteam, allow: signedIn, run: (hub, actor, { q }) => linkOwnSteam(hub, actor, q) }),
  command({ name: 'steam.linkUser', rest: api.linkUserSteam, allow: siteStaff, run: (hub, actor, { userId, q }) => linkSteamOf(hub, actor, userId, q) }),
  command({
    name: 'matches.import',
    rest: api.importMatches,
    allow: tournamentStaff(byTournament),
    run: (hub, _actor, { tournamentId, matchIds }) => importForTournament(hub, tournamentId, matchIds),
  }),
  command({
    name: 'matches.confirmLink',
    rest: api.confirmMatchLink,
    allow: tournamentStaff(byTournament),
    run: (hub, actor, { tournamentId, linkId }) => decideLink(hub, actor, tournamentId, linkId, 'confirm'),
  }),
  command({
    name: 'matches.dismissLink',
    rest: api.dismissMatchLink,
    allow: tournamentStaff(byTournament),
    run: (hub, actor, { tournamentId, linkId }) => decideLink(hub, actor, tournamentId, linkId, 'dismiss'),
  }),
];
