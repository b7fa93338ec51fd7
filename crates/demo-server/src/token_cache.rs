//! The application token, cached until a minute before it expires. Concurrent requests that find it
//! stale wait on one refresh instead of each asking Airbyte.

use std::time::{Duration, Instant};

use tokio::sync::Mutex;

const REFRESH_MARGIN: Duration = Duration::from_secs(60);

#[derive(Default)]
pub(crate) struct TokenCache {
    slot: Mutex<Option<(String, Instant)>>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCache(..)")
    }
}

impl TokenCache {
    /// The cached token, or a new one from `fetch` (`(token, expires_in seconds)`). The lock is held
    /// across the fetch on purpose: that is what makes concurrent callers share one refresh.
    pub(crate) async fn get<F, Fut, E>(&self, fetch: F) -> Result<String, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(String, u64), E>>,
    {
        let mut slot = self.slot.lock().await;
        if let Some((token, refresh_at)) = slot.as_ref()
            && Instant::now() < *refresh_at
        {
            return Ok(token.clone());
        }
        let (token, expires_in) = fetch().await?;
        let lifetime = Duration::from_secs(expires_in).saturating_sub(REFRESH_MARGIN);
        *slot = Some((token.clone(), Instant::now() + lifetime));
        Ok(token)
    }

    /// Forgets `stale` after Airbyte refused it (revoked, or expired early), so the next `get`
    /// fetches a new one. Only that token: when several requests fail on it at once, the first
    /// caller's refresh is kept, not thrown away by the others.
    pub(crate) async fn invalidate(&self, stale: &str) {
        let mut slot = self.slot.lock().await;
        if slot.as_ref().is_some_and(|(token, _)| token == stale) {
            *slot = None;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch() {
        let cache = Arc::new(TokenCache::default());
        let calls = Arc::new(AtomicU32::new(0));
        let mut handles = Vec::new();
        for _ in 0..16 {
            let (cache, calls) = (cache.clone(), calls.clone());
            handles.push(tokio::spawn(async move {
                cache
                    .get(|| async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok::<_, ()>(("t".to_owned(), 900))
                    })
                    .await
            }));
        }
        for h in handles {
            assert_eq!(h.await.unwrap(), Ok("t".to_owned()));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn invalidating_forgets_only_the_stale_token() {
        let cache = TokenCache::default();
        let fresh = |t: &'static str| move || async move { Ok::<_, ()>((t.to_owned(), 900)) };
        assert_eq!(cache.get(fresh("a")).await, Ok("a".into()));
        cache.invalidate("a").await;
        assert_eq!(cache.get(fresh("b")).await, Ok("b".into()));
        // A late caller that also saw "a" fail must not drop "b".
        cache.invalidate("a").await;
        assert_eq!(cache.get(fresh("c")).await, Ok("b".into()));
    }

    #[tokio::test]
    async fn refreshes_a_minute_before_expiry_and_after_errors() {
        let cache = TokenCache::default();
        // expires_in 60 s: already inside the refresh margin, so every call refetches.
        assert_eq!(
            cache.get(|| async { Ok::<_, ()>(("a".into(), 60)) }).await,
            Ok("a".into())
        );
        assert_eq!(
            cache.get(|| async { Ok::<_, ()>(("b".into(), 900)) }).await,
            Ok("b".into())
        );
        assert_eq!(
            cache.get(|| async { Ok::<_, ()>(("c".into(), 900)) }).await,
            Ok("b".into())
        );
        let failing = TokenCache::default();
        assert_eq!(
            failing
                .get(|| async { Err::<(String, u64), _>("down") })
                .await,
            Err("down")
        );
        assert_eq!(
            failing
                .get(|| async { Ok::<_, &str>(("d".into(), 900)) })
                .await,
            Ok("d".into())
        );
    }
}
