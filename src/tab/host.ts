// Teams as the page's host: teams-js initialisation, the theme and SSO. Outside Teams (a plain browser
// tab) initialisation fails at once, or never answers when some other page frames this one: both
// mean "not in Teams".
import { app, authentication } from '@microsoft/teams-js';

export type Theme = 'default' | 'dark' | 'contrast';

export interface TeamsHost {
  theme: Theme;
  onThemeChange(handler: (theme: Theme) => void): void;
  /** A Teams SSO token for this app's API (Entra ID access token). */
  token(): Promise<string>;
  /** Tells Teams the page has loaded (it hides its loading indicator). */
  loaded(): void;
}

export function asTheme(value: string | null | undefined): Theme {
  return value === 'dark' || value === 'contrast' ? value : 'default';
}

const INIT_TIMEOUT_MS = 5000;

export async function connectToTeams(): Promise<TeamsHost | null> {
  try {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer from a host')), INIT_TIMEOUT_MS)));
    await Promise.race([app.initialize(), timeout]).finally(() => clearTimeout(timer));
  } catch {
    return null;
  }
  const context = await app.getContext();
  return {
    theme: asTheme(context.app.theme),
    onThemeChange: (handler) => app.registerOnThemeChangeHandler((theme) => handler(asTheme(theme))),
    token: () => authentication.getAuthToken(),
    loaded: () => void app.notifySuccess().catch(() => undefined),
  };
}
