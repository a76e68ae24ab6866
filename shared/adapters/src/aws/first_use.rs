//! An SDK client made when it is first used. Making one costs about half a
//! millisecond of a Lambda function's cold start, and most functions never
//! call SQS or KMS on their first request, or at all.

use std::ops::Deref;
use std::sync::{Arc, OnceLock};

pub struct OnFirstUse<C> {
    make: Arc<dyn Fn() -> C + Send + Sync>,
    client: Arc<OnceLock<C>>,
}

impl<C> OnFirstUse<C> {
    /// A client that `make` makes on first use.
    pub fn new(make: impl Fn() -> C + Send + Sync + 'static) -> Self {
        OnFirstUse {
            make: Arc::new(make),
            client: Arc::default(),
        }
    }
}

impl<C: Clone + Send + Sync + 'static> From<C> for OnFirstUse<C> {
    /// A client made already.
    fn from(client: C) -> Self {
        OnFirstUse {
            client: Arc::new(OnceLock::from(client.clone())),
            make: Arc::new(move || client.clone()),
        }
    }
}

impl<C> Clone for OnFirstUse<C> {
    fn clone(&self) -> Self {
        OnFirstUse {
            make: self.make.clone(),
            client: self.client.clone(),
        }
    }
}

impl<C> Deref for OnFirstUse<C> {
    type Target = C;

    fn deref(&self) -> &C {
        self.client.get_or_init(|| (self.make)())
    }
}
