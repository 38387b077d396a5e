/**
 * Why a login failed. The server redirects to `/?loginError=<code>` and the client shows the
 * message; nothing about the failure is put in the URL beyond the code.
 */
export const LOGIN_ERRORS = {
  state_mismatch: 'The login link expired or was tampered with. Please try again.',
  consent_denied: 'You cancelled the Discord login.',
  discord_error: 'Discord did not answer as expected. Please try again in a minute.',
  discord_rate_limited: 'Discord is rate limiting logins right now. Please wait a minute and try again.',
  not_in_guild: 'You need to be a member of the DTX Discord server to log in.',
  rate_limited: 'Too many login attempts. Please wait a minute.',
} as const;

export type LoginErrorCode = keyof typeof LOGIN_ERRORS;

export function loginErrorMessage(code: string | null | undefined): string | null {
  if (!code) return null;
  return code in LOGIN_ERRORS ? LOGIN_ERRORS[code as LoginErrorCode] : 'The login failed. Please try again.';
}
