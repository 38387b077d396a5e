import { api } from '../../shared/api/contract';
import { adminOn, signedIn } from '../commands/authority';
import { notFound } from '../commands/errors';
import { command } from '../commands/define';
import { setRole, updateProfile } from './users.service';

export const userCommands = [
  command({ name: 'user.updateMe', rest: api.updateMe, allow: signedIn, run: (hub, actor, update) => updateProfile(hub, actor, update) }),
  command({
    name: 'user.setRole',
    rest: api.setUserRole,
    allow: adminOn(async (db, { userId }: { userId: number }) => {
      if (!(await db('users').where({ id: userId }).first('id'))) throw notFound(`user ${userId}`);
    }),
    run: (hub, actor, { userId, role }) => setRole(hub, actor, userId, role),
  }),
];
