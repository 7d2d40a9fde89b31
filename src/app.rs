//! Application state and the router: every feature's routes behind one
//! middleware stack (panic guard → security headers → error rendering →
//! authentication → CSRF → handler).

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::middleware;
use tokio::sync::Mutex;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;

use crate::auth::model::SecurityPolicy;
use crate::clock::{Clock, Ts};
use crate::config::Config;
use crate::db::Db;
use crate::web::render::Templates;

/// Shared state of one app node. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// What the state holds.
pub struct Inner {
    /// The database.
    pub db: Db,
    /// The one source of "now".
    pub clock: Clock,
    /// Start-up configuration.
    pub config: Config,
    /// Compiled-in templates.
    pub templates: Templates,
    /// This node's copy of the unit tree for choice lists.
    pub units: crate::org::units::directory::Directory,
    /// This node's copy of the people it has loaded.
    pub principals: crate::authz::cache::Principals,
    /// This node's copy of the reform choice lists.
    pub reform_lists: crate::db::memo::Memo<crate::reform::routes::ListsStamp, crate::reform::routes::Lists>,
    /// This node's answers of the reform task list.
    pub reform_listings: crate::reform::listing::Listings,
    /// This node's queue of submissions written in groups.
    pub intake: crate::liaison::intake::Intake,
    policy: Mutex<Option<(Ts, SecurityPolicy)>>,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

/// How long a node trusts its cached copy of the security policy; another
/// node's change reaches this one within this time.
const POLICY_TTL_MS: i64 = 5_000;

impl AppState {
    /// A handle that does not keep the state alive (for a task that should
    /// end with it).
    pub fn downgrade(&self) -> std::sync::Weak<Inner> {
        Arc::downgrade(&self.0)
    }

    /// The state behind a [`Self::downgrade`] handle, while it lives.
    pub fn upgrade(weak: &std::sync::Weak<Inner>) -> Option<AppState> {
        weak.upgrade().map(AppState)
    }

    /// Builds the state and brings built-in roles and dictionaries up to date.
    pub async fn new(config: Config, db: Db, clock: Clock) -> anyhow::Result<AppState> {
        let now = clock.now();
        crate::authz::store::sync_builtin_roles(&db, now).await?;
        crate::dicts::store::seed_builtin(&db).await?;
        let templates = Templates::new(clock.offset());
        Ok(AppState(Arc::new(Inner {
            db,
            clock,
            config,
            templates,
            units: Default::default(),
            principals: Default::default(),
            reform_lists: Default::default(),
            reform_listings: Default::default(),
            intake: Default::default(),
            policy: Mutex::new(None),
        })))
    }

    /// The security policy, cached for a few seconds.
    pub async fn policy(&self) -> anyhow::Result<SecurityPolicy> {
        let now = self.clock.now();
        let mut cached = self.policy.lock().await;
        if let Some((at, p)) = cached.as_ref()
            && now.0 - at.0 < POLICY_TTL_MS
            && now >= *at
        {
            return Ok(p.clone());
        }
        let p = crate::dicts::settings::security_policy(&self.db).await?;
        *cached = Some((now, p.clone()));
        Ok(p)
    }

    /// Drops the cached policy after this node changed it.
    pub async fn forget_policy(&self) {
        *self.policy.lock().await = None;
    }

    /// Where attachments live.
    pub fn files_dir(&self) -> std::path::PathBuf {
        self.config.data_dir.join("attachments")
    }
}

/// The whole application as one router.
pub fn router(state: AppState) -> Router {
    let max_body = usize::try_from(state.config.max_upload_mb.saturating_mul(1024 * 1024) + 64 * 1024)
        .unwrap_or(usize::MAX);
    Router::new()
        .merge(crate::home::routes())
        .merge(crate::auth::routes::routes())
        .merge(crate::org::routes())
        .merge(crate::reform::pages())
        .merge(crate::search::pages())
        .merge(crate::drafting::pages())
        .merge(crate::research::pages())
        .merge(crate::liaison::routes())
        .merge(crate::text::words::routes())
        .merge(crate::accounts::routes())
        .merge(crate::dicts::routes())
        .merge(crate::audit::routes::routes())
        .merge(crate::attachments::routes())
        .merge(crate::notify::routes())
        .merge(crate::web::assets::routes())
        .nest("/api/v1", crate::api::routes())
        .fallback(crate::web::not_found)
        .layer(middleware::from_fn(crate::web::csrf::guard))
        .layer(middleware::from_fn_with_state(state.clone(), crate::web::session::authenticate))
        .layer(middleware::from_fn_with_state(state.clone(), crate::web::errors::render))
        .layer(axum::extract::DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn_with_state(state.clone(), crate::web::headers::secure))
        .layer(CatchPanicLayer::new())
        .layer(CompressionLayer::new())
        .with_state(state)
}

/// Serves the router until Ctrl-C or SIGTERM.
pub async fn serve(state: AppState) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(state.config.listen).await?;
    crate::jobs::spawn(state.clone());
    state.db.spawn_checkpointer();
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
}

/// Who performs an action, for the action functions both the web pages and the
/// API call: the permission function reads `who`, the audit trail `actor`.
pub struct Caller<'a> {
    /// The application.
    pub state: &'a AppState,
    /// The person.
    pub who: &'a crate::authz::Principal,
    /// How they appear in the audit trail.
    pub actor: crate::audit::Actor,
    /// The moment of the action.
    pub now: Ts,
}

impl Caller<'_> {
    /// The acting account, or none for the command line and system jobs.
    pub fn account(&self) -> Option<i64> {
        (self.who.account_id > 0).then_some(self.who.account_id)
    }

    /// The calendar day of the action, in the deployment's time zone.
    pub fn today(&self) -> time::Date {
        self.now.to_offset(self.state.clock.offset()).date()
    }
}
