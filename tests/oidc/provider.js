// A real OpenID provider for the single sign-on tests (tests/api/sso.rs): panva's oidc-provider,
// OpenID Certified, on 127.0.0.1 and a free port. It prints "listening <port>" once it serves.
//
// Environment: REDIRECT_URI (flagpole's callback), CLIENT_ID, CLIENT_SECRET; CLAIMS_IN_ID_TOKEN=1
// puts the e-mail claims in the ID token too (by default, as the specification prefers for the
// code flow, they come only from the user info endpoint).
//
// The interaction step (where a person would type a password) is made non-interactive so the
// tests stay plain HTTP: GET /interaction/<uid>?account=<id> signs in that account and grants
// the scopes asked for; ?account=refuse answers access_denied, as a person cancelling would.
// Everything else — authorization, PKCE, codes (one use each), ID tokens, user info — is the
// provider's own.
import http from 'node:http';
import Provider from 'oidc-provider';

// Accounts and the e-mail claims the provider vouches for.
const accounts = {
  ed: { email: 'ed@example.org', email_verified: true, name: 'Ed Itor' },
  // Claims an editor's address without having verified it.
  sly: { email: 'ed@example.org', email_verified: false, name: 'Not Ed' },
  newcomer: { email: 'Nia@Allowed.Example', email_verified: true, name: 'Nia Newcomer' },
  outsider: { email: 'olly@elsewhere.example', email_verified: true, name: 'Olly' },
  gone: { email: 'gone@example.org', email_verified: true, name: 'Gone' },
};

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`provider.js: ${name} is not set`);
    process.exit(2);
  }
  return value;
};

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [{
      client_id: env('CLIENT_ID'),
      client_secret: env('CLIENT_SECRET'),
      redirect_uris: [env('REDIRECT_URI')],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    }],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    async findAccount(ctx, id) {
      const claims = accounts[id];
      return claims && { accountId: id, claims: async () => ({ sub: id, ...claims }) };
    },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    conformIdTokenClaims: process.env.CLAIMS_IN_ID_TOKEN !== '1',
    cookies: { keys: ['flagpole test provider, not a secret'] },
    // Stated, so the provider does not warn about its defaults; a test is over in seconds.
    ttl: {
      AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600,
    },
  });

  provider.use(async (ctx, next) => {
    const match = ctx.method === 'GET' && ctx.path.match(/^\/interaction\/([^/]+)$/);
    if (!match) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const account = ctx.query.account;
    let result;
    if (account === 'refuse') {
      result = { error: 'access_denied', error_description: 'the person said no' };
    } else if (accounts[account]) {
      const grant = new provider.Grant({ accountId: account, clientId: details.params.client_id });
      grant.addOIDCScope(details.params.scope);
      result = { login: { accountId: account }, consent: { grantId: await grant.save() } };
    } else {
      ctx.status = 400;
      ctx.body = 'add ?account=<one of: refuse, ' + Object.keys(accounts).join(', ') + '>';
      return undefined;
    }
    ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false }));
    return undefined;
  });

  server.on('request', provider.callback());
  console.log(`listening ${port}`);
});
