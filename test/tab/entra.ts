// A stand-in for Microsoft Entra ID on loopback: OpenID metadata and a JWKS with a test RSA key, and
// tokens shaped like Teams SSO access tokens, signed with that key (or another, to be refused).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { NOW, TENANT } from './fixtures.js';

export const CLIENT_ID = '5e8c2a1b-3d4f-4a6b-9c8d-7e6f5a4b3c2d';
export const APP_ID_URI = `api://points.example.com/${CLIENT_ID}`;

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: Record<string, unknown>;
}

export async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' } };
}

export class FakeEntra {
  private server: Server | null = null;
  url = '';
  /** Requests per path, to see what the verifier fetched. */
  readonly hits = new Map<string, number>();
  keys: SigningKey[] = [];

  get metadataUrl(): string {
    return `${this.url}/common/v2.0/.well-known/openid-configuration`;
  }

  async start(): Promise<this> {
    this.keys = [await signingKey('test-key-1')];
    this.server = createServer((req, res) => {
      const path = req.url ?? '';
      this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
      res.setHeader('content-type', 'application/json');
      if (path === '/common/v2.0/.well-known/openid-configuration') {
        res.end(JSON.stringify({ issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0', jwks_uri: `${this.url}/common/discovery/v2.0/keys` }));
      } else if (path === '/common/discovery/v2.0/keys') {
        res.end(JSON.stringify({ keys: this.keys.map((k) => k.publicJwk) }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** A v2 Teams SSO token for `oid`, valid for an hour from NOW; `claims` overrides any claim. */
  token(oid: string, claims: JWTPayload = {}, options: { key?: SigningKey; alg?: string } = {}): Promise<string> {
    const key = options.key ?? this.keys[0]!;
    const iat = Math.floor(NOW / 1000) - 60;
    const payload: JWTPayload = {
      aud: CLIENT_ID,
      iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      iat,
      nbf: iat,
      exp: iat + 3600,
      name: 'Test User',
      oid,
      preferred_username: 'someone@example.com',
      scp: 'access_as_user',
      sub: 'pairwise-subject',
      tid: TENANT,
      ver: '2.0',
      ...claims,
    };
    return new SignJWT(payload).setProtectedHeader({ alg: options.alg ?? 'RS256', typ: 'JWT', kid: key.kid }).sign(key.privateKey);
  }
}
