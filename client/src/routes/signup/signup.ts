import type { CheckInWindow, Signup } from '$shared/schemas/signups';

/** Sign-ups still in the running: the ones the public list shows. */
export const ACTIVE_STATES = new Set<Signup['state']>(['approved', 'pending', 'waitlisted']);

/** A sign-up's state in words, as the player and staff read it: "waitlisted #3", "approved · checked in". */
export function signupStateText(s: Signup): string {
  if (s.missedCheckIn) return 'missed check-in';
  const checked = s.checkedIn ? ' · checked in' : '';
  switch (s.state) {
    case 'waitlisted':
      return `waitlisted${s.waitlistPosition ? ` #${s.waitlistPosition}` : ''}${checked}`;
    case 'pending':
      return `waiting for approval${checked}`;
    case 'approved':
      return `approved${checked}`;
    case 'declined':
      return 'declined';
    case 'withdrawn':
      return 'withdrawn';
  }
}

/** Whether this sign-up may check in now (approved or waitlisted, not yet in, the window open). */
export const canCheckIn = (s: Signup | undefined, window: CheckInWindow | null | undefined): boolean =>
  Boolean(s && window?.open && !s.checkedIn && (s.state === 'approved' || s.state === 'waitlisted'));

/** What the player is told after a sign-up or an edit, from the state the hub gave it. */
export function afterSignupText(s: Signup, edited: boolean): string {
  if (s.state === 'waitlisted') return `The places are taken: you are on the waitlist, #${s.waitlistPosition ?? '?'}. You move up when a place frees.`;
  if (s.state === 'approved') return edited ? 'Saved. You are in the player pool.' : 'Signed up and approved: you are in the player pool.';
  return edited ? 'Saved. Staff will review your sign-up.' : 'Signed up. Staff will review your sign-up.';
}
