//! Where a route group puts its routes. The local server and the OpenAPI
//! document want each route with its description (`OpenApiRouter`); a Lambda
//! function wants only the routing (`axum::Router`), because describing a
//! route builds every schema it names, which was most of a function's start
//! and a large part of its binary. A group writes its routes once, generic
//! over the table, and `handlers!` hands both forms to it: the one a table
//! does not use is never called, so its code is not in that binary.

use axum::Router;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

use crate::AppState;

pub trait RouteTable: Default {
    /// Adds handlers: `described` makes them with their OpenAPI operations,
    /// `plain` routes them into an axum router.
    fn add(
        self,
        handlers: (
            impl FnOnce() -> UtoipaMethodRouter<AppState>,
            impl FnOnce(Router<AppState>) -> Router<AppState>,
        ),
    ) -> Self;

    fn merge(self, other: Self) -> Self;
}

impl RouteTable for OpenApiRouter<AppState> {
    fn add(
        self,
        (described, _): (
            impl FnOnce() -> UtoipaMethodRouter<AppState>,
            impl FnOnce(Router<AppState>) -> Router<AppState>,
        ),
    ) -> Self {
        self.routes(described())
    }

    fn merge(self, other: Self) -> Self {
        OpenApiRouter::merge(self, other)
    }
}

impl RouteTable for Router<AppState> {
    fn add(
        self,
        (_, plain): (
            impl FnOnce() -> UtoipaMethodRouter<AppState>,
            impl FnOnce(Router<AppState>) -> Router<AppState>,
        ),
    ) -> Self {
        plain(self)
    }

    fn merge(self, other: Self) -> Self {
        Router::merge(self, other)
    }
}

/// Handlers annotated with `#[utoipa::path]`, in both forms a `RouteTable`
/// takes: with their description (`utoipa_axum::routes!`), and routed by the
/// path and methods of their annotation alone.
#[macro_export]
macro_rules! handlers {
    ($($handler:ident),+ $(,)?) => {
        (
            || {
                // `routes!` files every handler under the first one's path.
                let paths = [$(utoipa_axum::paste! { <[<__path_ $handler>] as utoipa::Path>::path() }),+];
                assert!(
                    paths.iter().all(|path| *path == paths[0]),
                    "handlers! takes the handlers of one path, not {paths:?}"
                );
                utoipa_axum::routes!($($handler),+)
            },
            |router: axum::Router<$crate::AppState>| {
                use utoipa_axum::PathItemExt as _;
                $(
                    let router = utoipa_axum::paste! {{
                        let methods = <[<__path_ $handler>] as utoipa::Path>::methods();
                        let route = methods.iter().fold(axum::routing::MethodRouter::new(), |route, method| {
                            route.on(method.to_method_filter(), $handler)
                        });
                        router.route(&<[<__path_ $handler>] as utoipa::Path>::path(), route)
                    }};
                )+
                router
            },
        )
    };
}
