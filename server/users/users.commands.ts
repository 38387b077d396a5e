import { api } from '../../shared/api/contract';
import { admin, signedIn } from '../commands/authority';
import { command } from '../commands/define';
import { setRole, updateProfile } from './users.service';

export const userCommands = [
  command({ name: 'user.updateMe', rest: api.updateMe, allow: signedIn, run: (hub, actor, update) => updateProfile(hub, actor, update) }),
  command({ name: 'user.setRole', rest: api.setUserRole, allow: admin, run: (hub, actor, { userId, role }) => setRole(hub, actor, userId, role) }),
];
