/**
 * The slash commands the hub registers for the guild (`npm run discord:commands`) and answers
 * on its interactions endpoint. Type 1: a chat input (slash) command.
 */
export const SLASH_COMMANDS = [
  { name: 'draft', type: 1, description: 'Whose turn it is in the running player draft, with the link' },
  { name: 'bracket', type: 1, description: "Your team's next series, with the link" },
  { name: 'live', type: 1, description: 'DTX games being played right now' },
  { name: 'signup', type: 1, description: 'Sign up for the tournament in registration' },
  { name: 'checkin', type: 1, description: 'Check in for the tournament you signed up for' },
] as const;

export type SlashCommandName = (typeof SLASH_COMMANDS)[number]['name'];
