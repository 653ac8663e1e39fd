// The tab's settings in readConfig: Teams SSO is on with TAB_APP_ID_URI, and every mistake is a sentence.
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_OPENID_METADATA_URL, readConfig } from '../../src/config.js';

const CLIENT = '5e8c2a1b-3d4f-4a6b-9c8d-7e6f5a4b3c2d';

function refusal(env: Record<string, string>): string {
  try {
    readConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('readConfig accepted it');
}

describe('tab settings', () => {
  it('leave SSO off without TAB_APP_ID_URI', () => {
    expect(readConfig({}).sso).toBeNull();
  });

  it('accept the client id found at the end of the app ID URI as a second audience (v2 tokens)', () => {
    expect(readConfig({ TAB_APP_ID_URI: `api://points.example.com/${CLIENT}` }).sso).toEqual({
      appIdUri: `api://points.example.com/${CLIENT}`,
      audiences: [`api://points.example.com/${CLIENT}`, CLIENT],
      metadataUrl: DEFAULT_OPENID_METADATA_URL,
      allowedTenants: new Set(),
    });
    expect(readConfig({ TAB_APP_ID_URI: `api://points.example.com/botid-${CLIENT.toUpperCase()}` }).sso?.audiences).toEqual([`api://points.example.com/botid-${CLIENT.toUpperCase()}`, CLIENT]);
    expect(readConfig({ TAB_APP_ID_URI: 'api://points.example.com/dashboard' }).sso?.audiences).toEqual(['api://points.example.com/dashboard']);
    expect(readConfig({ TAB_APP_ID_URI: 'api://points.example.com/dashboard', TAB_CLIENT_ID: CLIENT }).sso?.audiences).toEqual(['api://points.example.com/dashboard', CLIENT]);
  });

  it('take the metadata URL and the allowed tenants', () => {
    const sso = readConfig({
      TAB_APP_ID_URI: `api://points.example.com/${CLIENT}`,
      TAB_OPENID_METADATA_URL: 'http://127.0.0.1:4000/common/v2.0/.well-known/openid-configuration',
      TAB_ALLOWED_TENANTS: ' 72F988BF-86F1-41AF-91AB-2D7CD011DB47 , ',
    }).sso;
    expect(sso?.metadataUrl).toBe('http://127.0.0.1:4000/common/v2.0/.well-known/openid-configuration');
    expect(sso?.allowedTenants).toEqual(new Set(['72f988bf-86f1-41af-91ab-2d7cd011db47']));
  });

  it.each([
    [{ TAB_APP_ID_URI: 'https://points.example.com' }, /^TAB_APP_ID_URI must be the Application ID URI .* not "https:\/\/points.example.com"\.$/],
    [{ TAB_APP_ID_URI: `api://points.example.com/${CLIENT}/` }, /without a trailing slash/],
    [{ TAB_APP_ID_URI: `api://points.example.com/${CLIENT}`, TAB_CLIENT_ID: 'points' }, /^TAB_CLIENT_ID must be the app registration's client id, a GUID; not "points"\.$/],
    [{ TAB_CLIENT_ID: CLIENT }, /^TAB_CLIENT_ID and TAB_ALLOWED_TENANTS need TAB_APP_ID_URI/],
    [{ TAB_APP_ID_URI: `api://points.example.com/${CLIENT}`, TAB_ALLOWED_TENANTS: 'contoso.onmicrosoft.com' }, /"contoso.onmicrosoft.com" is not one\.$/],
    [{ TAB_OPENID_METADATA_URL: 'http://login.example.com/.well-known/openid-configuration' }, /^TAB_OPENID_METADATA_URL must be an https URL .*\(http only on 127.0.0.1 or localhost\)/],
    [{ TAB_OPENID_METADATA_URL: 'not a url' }, /not "not a url"\.$/],
  ])('refuse %o with a sentence', (env, sentence) => {
    expect(refusal(env)).toMatch(sentence);
  });
});
