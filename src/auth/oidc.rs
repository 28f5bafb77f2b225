//! Single sign-on through the organisation's OpenID Connect provider (`[auth.oidc]`): the
//! authorization code flow with PKCE, discovery, state and nonce, through the `openidconnect`
//! crate, which also checks the ID token's signature, issuer, audience, expiry and nonce.
//!
//! [`Oidc::begin`] stores the attempt (nonce, PKCE verifier, where to go next) under the SHA-256
//! of a random state and sends the browser to the provider; the state also goes into a short
//! cookie, so the answer counts only in the browser that asked (someone else's link with their
//! code signs no one in). [`Oidc::finish`] takes the attempt out of the database in one statement,
//! so a state — and with it the code that came with it — works once, on any instance.
//!
//! An editor is matched by an e-mail address the provider says it verified. An unknown address
//! in `allowed_domains` becomes an editor (role editor, owning nothing); any other unknown
//! address, an unverified one or a disabled editor is refused.
//!
//! The provider's discovery document and keys are fetched on every step rather than at start-up:
//! a provider that is down when flagpole starts does not stop it, and rotated keys are picked up
//! at once. Sign-ins are rare enough that the two requests cost nothing that matters.

use std::time::Duration;

use chrono::TimeDelta;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope, TokenResponse,
};
use secrecy::ExposeSecret;

use crate::config::{OidcSettings, Settings};
use crate::db::editors::Editor;
use crate::db::sso::{self, SsoLogin};
use crate::db::{tokens, Db};
use crate::errors::ApiError;

/// Where the provider sends editors back to, under `server.public_url`; register it with the
/// provider.
pub const CALLBACK_PATH: &str = "/dashboard/sso/callback";

/// How long an editor has at the provider before the attempt expires.
pub const ATTEMPT_MINUTES: i64 = 10;

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

pub struct Oidc {
    db: Db,
    settings: Option<OidcSettings>,
    redirect: RedirectUrl,
    http: openidconnect::reqwest::Client,
}

/// The provider's answer, as it arrives on the callback's query string.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    /// The issuer of the answer (RFC 9207), from providers that send it.
    pub iss: Option<String>,
}

/// An attempt under way: send the browser to `url`, with `state` in its cookie.
pub struct Begun {
    pub url: url::Url,
    pub state: String,
}

/// Who the provider signed in, and where they wanted to go.
pub struct Verified {
    pub editor: Editor,
    pub next: String,
}

/// Why single sign-on did not sign someone in; each is a page the editor can read.
#[derive(Debug)]
pub enum SsoRefused {
    /// `[auth.oidc]` is not set.
    NotConfigured,
    /// No such attempt: expired, used already, started in another browser, or made up.
    State,
    /// The provider said no (the editor cancelled, the code was refused) or its ID token did
    /// not check out.
    Denied(String),
    /// No e-mail address, or one the provider has not verified.
    Unverified,
    Unknown(String),
    Disabled(String),
    /// The provider could not be reached or answered nonsense.
    Unreachable(String),
    Failed(ApiError),
}

impl From<ApiError> for SsoRefused {
    fn from(e: ApiError) -> Self {
        SsoRefused::Failed(e)
    }
}

impl Oidc {
    pub fn new(db: Db, settings: &Settings) -> Result<Oidc, anyhow::Error> {
        let redirect = settings.server.public_url.join(CALLBACK_PATH)?;
        let http = openidconnect::reqwest::Client::builder()
            // Following a redirect would let a provider's answer send requests anywhere.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()?;
        Ok(Oidc {
            db,
            settings: settings.auth.oidc.clone(),
            redirect: RedirectUrl::from_url(redirect),
            http,
        })
    }

    /// The provider's name for the sign-in button, when single sign-on is configured.
    pub fn display_name(&self) -> Option<&str> {
        self.settings.as_ref().map(|s| s.display_name.as_str())
    }

    fn settings(&self) -> Result<&OidcSettings, SsoRefused> {
        self.settings.as_ref().ok_or(SsoRefused::NotConfigured)
    }

    /// Discovery, then a client for this provider.
    async fn client(&self) -> Result<Client, SsoRefused> {
        let settings = self.settings()?;
        let issuer =
            IssuerUrl::new(settings.issuer.clone()).map_err(|e| unreachable("issuer", &e))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| unreachable("discovery", &e))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(settings.client_id.clone()),
            Some(ClientSecret::new(
                settings.client_secret.expose_secret().to_string(),
            ))
            .filter(|s| !s.secret().is_empty()),
        )
        .set_redirect_uri(self.redirect.clone()))
    }

    /// Starts an attempt: where to send the browser, and the state for its cookie. `next` is a
    /// dashboard path the caller has checked.
    pub async fn begin(&self, next: String) -> Result<Begun, SsoRefused> {
        let settings = self.settings()?;
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        // The crate always asks for `openid`.
        for scope in settings.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        let now = crate::db::now();
        let login = SsoLogin {
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
            next_path: next,
            expires_at: now + TimeDelta::minutes(ATTEMPT_MINUTES),
        };
        let hash = tokens::hash(state.secret());
        self.db
            .run(move |c| Ok(sso::create(c, &hash, &login, now)?))
            .await?;
        Ok(Begun {
            url,
            state: state.secret().clone(),
        })
    }

    /// Checks the provider's answer and finds (or, in an allowed domain, adds) the editor.
    /// `cookie_state` is the state from this browser's cookie. Counted in
    /// `flagpole_sso_sign_ins_total{outcome}`.
    pub async fn finish(
        &self,
        cookie_state: Option<&str>,
        answer: Callback,
    ) -> Result<Verified, SsoRefused> {
        let result = self.verify(cookie_state, answer).await;
        let outcome = match &result {
            Ok(_) => "signed_in",
            Err(SsoRefused::NotConfigured) => "not_configured",
            Err(SsoRefused::State) => "state",
            Err(SsoRefused::Denied(_)) => "denied",
            Err(SsoRefused::Unverified) => "unverified",
            Err(SsoRefused::Unknown(_)) => "unknown",
            Err(SsoRefused::Disabled(_)) => "disabled",
            Err(SsoRefused::Unreachable(_)) => "unreachable",
            Err(SsoRefused::Failed(_)) => "failed",
        };
        metrics::counter!("flagpole_sso_sign_ins_total", "outcome" => outcome).increment(1);
        result
    }

    async fn verify(
        &self,
        cookie_state: Option<&str>,
        answer: Callback,
    ) -> Result<Verified, SsoRefused> {
        let settings = self.settings()?;
        let state = answer.state.ok_or(SsoRefused::State)?;
        // Compared as hashes: the time a comparison takes tells nothing about the state.
        let hash = tokens::hash(&state);
        if cookie_state.map(tokens::hash) != Some(hash.clone()) {
            return Err(SsoRefused::State);
        }
        let login = self
            .db
            .run(move |c| Ok(sso::take(c, &hash)?))
            .await?
            .filter(|l| l.expires_at > crate::db::now())
            .ok_or(SsoRefused::State)?;
        // An answer from another issuer is one an attacker relayed from elsewhere (a mix-up).
        if answer.iss.is_some_and(|iss| iss != settings.issuer) {
            return Err(SsoRefused::Denied(
                "the answer came from another issuer".into(),
            ));
        }
        if let Some(error) = answer.error {
            return Err(SsoRefused::Denied(error));
        }
        let code = answer
            .code
            .ok_or_else(|| SsoRefused::Denied("no authorization code".into()))?;

        let client = self.client().await?;
        let token = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| unreachable("token endpoint", &e))?
            .set_pkce_verifier(PkceCodeVerifier::new(login.pkce_verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => {
                    SsoRefused::Denied(format!("the code was refused ({})", r.error()))
                }
                other => unreachable("token endpoint", &other),
            })?;
        let id_token = token
            .id_token()
            .ok_or_else(|| SsoRefused::Denied("no ID token".into()))?;
        let verifier = client.id_token_verifier();
        let claims = id_token
            .claims(&verifier, &Nonce::new(login.nonce))
            .map_err(|e| SsoRefused::Denied(format!("the ID token did not verify ({e})")))?;
        // The access token is used for the user info below: it must be the one the ID token
        // was issued with.
        if let Some(expected) = claims.access_token_hash() {
            let actual = || {
                let alg = id_token.signing_alg().ok()?;
                let key = id_token.signing_key(&verifier).ok()?;
                AccessTokenHash::from_token(token.access_token(), alg, key).ok()
            };
            if actual().as_ref() != Some(expected) {
                return Err(SsoRefused::Denied("the access token does not match".into()));
            }
        }

        // Providers that put no e-mail address in the ID token give it in the user info.
        let (email, verified, name) = match claims.email() {
            Some(email) => (
                email.to_string(),
                claims.email_verified(),
                claims
                    .name()
                    .and_then(|n| n.get(None))
                    .map(|n| n.to_string()),
            ),
            None => {
                let info: CoreUserInfoClaims = client
                    .user_info(token.access_token().clone(), Some(claims.subject().clone()))
                    .map_err(|e| unreachable("user info", &e))?
                    .request_async(&self.http)
                    .await
                    .map_err(|e| unreachable("user info", &e))?;
                let email = info
                    .email()
                    .map(|e| e.to_string())
                    .ok_or(SsoRefused::Unverified)?;
                let name = info.name().and_then(|n| n.get(None)).map(|n| n.to_string());
                (email, info.email_verified(), name)
            }
        };
        let email = email.trim().to_ascii_lowercase();
        if verified != Some(true) {
            return Err(SsoRefused::Unverified);
        }
        let domain_allowed = email
            .rsplit_once('@')
            .is_some_and(|(_, domain)| settings.allowed_domains.iter().any(|d| d == domain));
        let editor = self
            .db
            .run(move |c| {
                let found = crate::db::editors::by_email(c, &email)?;
                match found {
                    Some(e) if e.active => Ok(Ok(e)),
                    Some(e) => Ok(Err(SsoRefused::Disabled(e.email))),
                    None if domain_allowed => Ok(Ok(crate::editors::join(c, &email, name)?)),
                    None => Ok(Err(SsoRefused::Unknown(email))),
                }
            })
            .await??;
        Ok(Verified {
            editor,
            next: login.next_path,
        })
    }
}

fn unreachable(step: &str, error: &dyn std::error::Error) -> SsoRefused {
    // The source chain says what went wrong (refused connection, bad JSON, wrong issuer).
    let mut detail = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        detail.push_str(": ");
        detail.push_str(&e.to_string());
        source = e.source();
    }
    tracing::warn!(step, error = %detail, "single sign-on: the identity provider failed");
    SsoRefused::Unreachable(step.to_string())
}
