//! Bearer-token authentication for the read and triage API.

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};

use crate::db::tokens;
use crate::errors::ApiError;
use crate::state::AppState;

/// An authenticated API client; holds the token's name, recorded as the actor of its changes.
pub struct ApiClient {
    pub token_name: String,
}

impl FromRequest for ApiClient {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<ApiClient, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(|t| t.trim().to_string());
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let (Some(token), Some(state)) = (token, state) else {
                return Err(ApiError::unauthorized());
            };
            if token.is_empty() || token.len() > 200 {
                return Err(ApiError::unauthorized());
            }
            let name = state
                .db(move |conn| Ok(tokens::authenticate(conn, &token, crate::db::now())?))
                .await?;
            name.map(|token_name| ApiClient { token_name })
                .ok_or_else(ApiError::unauthorized)
        })
    }
}
