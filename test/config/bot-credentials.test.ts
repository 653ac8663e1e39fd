// The Bot Framework registration: local mode, MultiTenant, SingleTenant and UserAssignedMSI, and a
// sentence naming what is wrong for every other combination.
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../src/config.js';

const APP_ID = '0b6b0a7e-2f63-4c1e-9d1a-3c5e8f1a2b4c';
const TENANT = '7d3a9c1e-5b2f-4e8a-9c6d-1f0e2d3c4b5a';

describe('Bot Framework credentials', () => {
  it.each([
    ['none (local mode)', {}, {}],
    ['empty values (local mode)', { MicrosoftAppId: ' ', MicrosoftAppPassword: '', MicrosoftAppType: '', MicrosoftAppTenantId: '' }, {}],
    ['MultiTenant', { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'secret' }, { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'secret', MicrosoftAppType: 'MultiTenant' }],
    [
      'SingleTenant',
      { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'secret', MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: TENANT },
      { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'secret', MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: TENANT },
    ],
    [
      'UserAssignedMSI',
      { MicrosoftAppId: APP_ID, MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: TENANT },
      { MicrosoftAppId: APP_ID, MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: TENANT },
    ],
    [
      'UserAssignedMsi as the Agents Toolkit spells it',
      { MicrosoftAppId: APP_ID, MicrosoftAppType: 'UserAssignedMsi', MicrosoftAppTenantId: TENANT },
      { MicrosoftAppId: APP_ID, MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: TENANT },
    ],
  ])('accepts %s', (_name, env, expected) => {
    expect(readConfig(env).credentials).toEqual(expected);
  });

  it.each([
    [{ MicrosoftAppId: APP_ID }, 'MicrosoftAppId is set without MicrosoftAppPassword: set both (or neither, for local mode), or set MicrosoftAppType=UserAssignedMSI for a managed identity.'],
    [{ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'secret', MicrosoftAppType: 'SingleTenant' }, 'MicrosoftAppType=SingleTenant needs MicrosoftAppTenantId: set it to the tenant id of the app registration.'],
    [{ MicrosoftAppId: APP_ID, MicrosoftAppType: 'UserAssignedMSI' }, 'MicrosoftAppType=UserAssignedMSI needs MicrosoftAppTenantId: set it to the tenant id of the managed identity.'],
    [
      { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'secret', MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: TENANT },
      'MicrosoftAppPassword must be empty with MicrosoftAppType=UserAssignedMSI: the managed identity needs no secret.',
    ],
    [{ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'secret', MicrosoftAppType: 'SystemAssignedMSI' }, 'MicrosoftAppType must be MultiTenant, SingleTenant or UserAssignedMSI, not "SystemAssignedMSI".'],
    [{ MicrosoftAppPassword: 'secret' }, 'MicrosoftAppPassword is set without MicrosoftAppId: set MicrosoftAppId too, or leave all four empty for local mode.'],
    [{ MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: TENANT }, 'MicrosoftAppType, MicrosoftAppTenantId are set without MicrosoftAppId: set MicrosoftAppId too, or leave all four empty for local mode.'],
    [{ MicrosoftAppId: 'my-bot', MicrosoftAppPassword: 'secret' }, 'MicrosoftAppId must be the Azure Bot\'s Microsoft App ID (with UserAssignedMSI, the managed identity\'s client id), a GUID; not "my-bot".'],
  ])('refuses %j with a sentence', (env, sentence) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(sentence);
  });
});
