import type { PrivateUser, PublicUser } from '$shared/schemas/users';
import { api, call, errorMessage, setCsrfToken } from './api';
import { SESSION_ENDED_EVENT } from './realtime/client';

/** Who is looking at the hub, and how they may log in. Loaded from GET /api/me. */
export class Session {
  user = $state.raw<PrivateUser | null>(null);
  login = $state.raw({ discord: false, devLogin: false });
  /** What the hub tells Discord (DC46): the pages say when it is off. */
  discordBot = $state.raw({ notices: false, events: false, roleRefresh: false });
  loaded = $state(false);
  error = $state<string | null>(null);

  /** Site staff and admins see every staff control; the server decides in the end anyway. */
  readonly isSiteStaff = $derived(this.user?.role === 'admin' || this.user?.role === 'staff');

  async load() {
    try {
      const me = await call(api.me);
      setCsrfToken(me.csrfToken);
      this.user = me.user;
      this.login = me.login;
      this.discordBot = me.discordBot;
      this.error = null;
    } catch (err) {
      this.error = errorMessage(err);
    } finally {
      this.loaded = true;
    }
  }

  async logout() {
    try {
      await call(api.logout);
    } catch (err) {
      this.error = errorMessage(err);
    }
    // The session is gone, so is its CSRF token: fetch both again.
    setCsrfToken(null);
    await this.load();
  }

  /** Staff of one tournament: site staff, or listed in that tournament's staff. */
  canManage(staff: readonly Pick<PublicUser, 'id'>[]): boolean {
    if (!this.user) return false;
    const id = this.user.id;
    return this.isSiteStaff || staff.some((s) => s.id === id);
  }

  /** After a profile save the header shows the new data at once. */
  setUser(user: PrivateUser) {
    this.user = user;
  }
}

export const session = new Session();

// A logout in another tab ends the session here too: show the page as the visitor it now is.
if (typeof window !== 'undefined') window.addEventListener(SESSION_ENDED_EVENT, () => void session.load());
