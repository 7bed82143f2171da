// panva's oidc-provider, a certified OpenID provider that is not Desklit's own, on 127.0.0.1 for
// Desklit's interop tests (app/authflow's TestOIDCProvider*): the device authorization grant
// (RFC 8628) and the authorization code grant with PKCE for one public native client, its
// development sign-in pages (any login and password; the login becomes the subject), and RFC 9207's
// iss in authorization responses. Usage: node server.mjs PORT [CLIENT_ID]. It prints
// "ready <issuer>" once it listens, and stops on SIGTERM.
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error('usage: node server.mjs PORT [CLIENT_ID]');
  process.exit(2);
}
const clientId = process.argv[3] || 'desklit-desktop';
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    redirect_uris: ['http://127.0.0.1/callback'],
    grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
    response_types: ['code'],
  }],
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    revocation: { enabled: true },
  },
  claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return { sub, name: `User ${sub}`, email: `${sub}@example.com`, email_verified: true };
      },
    };
  },
  cookies: { keys: ['desklit-interop-test-only'] },
  pkce: { required: () => true },
});
provider.proxy = false;

const server = provider.listen(port, '127.0.0.1', () => console.log(`ready ${issuer}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
