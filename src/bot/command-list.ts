// The bot's commands as data: the dispatcher, /help and the Teams manifest's commandLists all read
// this one list (a test checks the manifest agrees).
export interface CommandInfo {
  /** The word typed, without the leading slash. */
  name: string;
  /** Arguments, as shown in /help. */
  usage: string;
  /** One line for /help and the Teams command menu (at most 128 characters). */
  description: string;
  /** Administrators only; left out of the Teams command menu. */
  admin: boolean;
  /**
   * false: left out of the Teams command menu, which shows at most 10 commands per scope, but still
   * answered when typed and still in /help.
   */
  inMenu?: false;
}

export const COMMANDS: readonly CommandInfo[] = [
  { name: 'points', usage: '', description: 'Your DevOps Points this membership year, your level and what you need to keep it', admin: false },
  { name: 'history', usage: '[page]', description: 'Your points this membership year, newest first', admin: false },
  { name: 'levels', usage: '', description: 'The levels, their thresholds and what each one brings', admin: false },
  { name: 'earn', usage: '[topic]', description: 'How to earn DevOps Points', admin: false },
  // Out of the menu: it is used once, and every member command tells someone not enrolled to type it.
  { name: 'join', usage: '', description: 'Join the DevOps Professional Program, starting today', admin: false, inMenu: false },
  { name: 'claim', usage: '', description: 'Claim points for something you did, for an administrator to review', admin: false },
  { name: 'attendance', usage: '', description: 'Submit a training or event attendance for review', admin: false },
  { name: 'leaderboard', usage: '[month|year|optout|optin]', description: 'The top 10 this month or year, and your own rank', admin: false },
  { name: 'partner', usage: '[partner id]', description: "Your partner organisation's credits and levels on both tracks (administrators: any partner's)", admin: false },
  { name: 'notifications', usage: '[on|off]', description: 'Turn your renewal reminders on or off (promotions and claim decisions always arrive)', admin: false },
  { name: 'help', usage: '', description: 'What the bot can do', admin: false },
  { name: 'review', usage: '', description: 'Pending claims, to approve or reject', admin: true },
  { name: 'award', usage: '<member email or id> <action> [points|days] [note]', description: 'Credit a member for a catalog action', admin: true },
  { name: 'revoke', usage: '<entry id> <reason>', description: 'Reverse a ledger entry', admin: true },
  { name: 'member', usage: '<member email or id>', description: "Someone's status card", admin: true },
];
