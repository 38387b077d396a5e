import type { SiteRole } from '../../shared/schemas/users';
import { forbidden, unauthenticated } from '../commands/errors';

/** Who is issuing a command: the logged-in user, as the server knows them. */
export interface Actor {
  id: number;
  role: SiteRole;
}

export function isSiteStaff(actor: Actor | null): boolean {
  return actor?.role === 'admin' || actor?.role === 'staff';
}

export function requireUser(actor: Actor | null): Actor {
  if (!actor) throw unauthenticated();
  return actor;
}

export function requireSiteStaff(actor: Actor | null): Actor {
  const user = requireUser(actor);
  if (!isSiteStaff(user)) throw forbidden('only site staff may do this');
  return user;
}

export function requireAdmin(actor: Actor | null): Actor {
  const user = requireUser(actor);
  if (user.role !== 'admin') throw forbidden('only an admin may do this');
  return user;
}
