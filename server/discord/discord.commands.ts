import { api } from '../../shared/api/contract';
import { adminOn } from '../commands/authority';
import { command } from '../commands/define';
import { notFound } from '../commands/errors';
import { refreshRolesFromDiscord } from './roles';

/** Commands that ask Discord something on a person's behalf (DC44, DC45). */
export const discordCommands = [
  command({
    name: 'user.refreshDiscordRoles',
    rest: api.refreshUserRoles,
    allow: adminOn(async (db, { userId }: { userId: number }) => {
      if (!(await db('users').where({ id: userId }).first('id'))) throw notFound(`user ${userId}`);
    }),
    run: (hub, actor, { userId }) => refreshRolesFromDiscord(hub, actor, userId),
  }),
];
