import { bracketCommands } from '../brackets/brackets.commands';
import { discordCommands } from '../discord/discord.commands';
import { draftCommands } from '../draft/draft.commands';
import { heroDraftCommands } from '../herodraft/herodraft.commands';
import { leagueCommands } from '../leagues/leagues.commands';
import { matchCommands } from '../matches/matches.commands';
import { poolCommands } from '../pool/pool.commands';
import { signupCommands } from '../signups/signups.commands';
import { teamCommands } from '../teams/teams.commands';
import { tournamentCommands } from '../tournaments/tournaments.commands';
import { userCommands } from '../users/users.commands';
import type { Command } from './define';

/**
 * Every command a client may send, each declared once in its feature's `*.commands.ts`: its
 * name, input schemas, who may run it and what it does. REST routes and socket events are made
 * from this list; tests/commands/permissions.test.ts walks it.
 */
export const commandTable: readonly Command<unknown, unknown>[] = [
  ...userCommands,
  ...leagueCommands,
  ...tournamentCommands,
  ...poolCommands,
  ...signupCommands,
  ...teamCommands,
  ...draftCommands,
  ...bracketCommands,
  ...heroDraftCommands,
  ...matchCommands,
  ...discordCommands,
];

/** The commands clients may also send over the socket, by event name. */
export const socketCommandTable: ReadonlyMap<string, Command<unknown, unknown>> = new Map(commandTable.filter((c) => c.socket).map((c) => [c.name, c]));
