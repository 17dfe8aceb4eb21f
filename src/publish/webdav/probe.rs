//! The health check before any encoding: a test upload, then every other method publishing
//! uses on it, naming the one the server refuses and what to change.

use reqwest::StatusCode;

use super::request::method;
use super::staging::{self, STAGING};
use super::WebdavTarget;
use crate::error::{Error, Result};

impl WebdavTarget {
    /// The health check: a test upload, then every other method publishing uses.
    pub(super) async fn health_check(&self) -> Result<()> {
        let diagnose = |e: Error| {
            Error::Target {
            target: self.base.clone(),
            problem: format!(
                "cannot reach the WebDAV server: check `target.url` in pipeline.toml, the network and that the server is running ({})",
                e.detail()
            ),
        }
        };
        let fail = |problem: String| {
            Err(Error::Target {
                target: self.base.clone(),
                problem,
            })
        };
        let probe = staging::run().temp_path("probe");
        let mut created = false;
        loop {
            let r = self
                .send("PUT probe", || {
                    Ok(self.request("PUT", &probe)?.body("eventcast write check"))
                })
                .await
                .map_err(diagnose)?;
            match r.status() {
                s if s.is_success() => break,
                StatusCode::UNAUTHORIZED => return fail("wrong credentials: the server refused EVENTCAST_WEBDAV_USER / EVENTCAST_WEBDAV_PASSWORD (401). Check both variables".into()),
                StatusCode::FORBIDDEN => return fail("access denied (403): the account may not write to this collection; check its permissions or `target.url`".into()),
                s @ (StatusCode::NOT_FOUND | StatusCode::CONFLICT) => {
                    // The collection (or the staging one) is missing: create them, try again.
                    if !created
                        && self.create_base().await.is_ok()
                        && self.ensure_collection(&format!("{STAGING}/")).await.is_ok()
                    {
                        created = true;
                        continue;
                    }
                    return fail(format!("the collection does not exist and cannot be created ({s}): check `target.url` in pipeline.toml"));
                }
                s @ (StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_IMPLEMENTED) => {
                    return fail(format!("the server does not accept uploads at this URL (PUT answered {s}): is `target.url` a WebDAV collection?"));
                }
                s => return fail(format!("the server answered {s} to a test upload (PUT); check `target.url` and the server's log")),
            }
        }
        // Every other method publishing uses, on the probe, in publishing's order. A server
        // that lacks one fails here, before an hour of encoding, not after the uploads.
        let outcome = self.exercise(&probe).await;
        if outcome.is_err() {
            let moved = format!("{probe}-moved");
            for p in [&probe, &moved] {
                let _ = self
                    .send("DELETE probe", || self.request("DELETE", p))
                    .await;
            }
        }
        match outcome {
            Ok(()) => Ok(()),
            Err(Refused::Method { method, status }) => fail(refused_advice(method, status)),
            Err(Refused::Unreachable(e)) => Err(diagnose(e)),
        }
    }

    /// PROPPATCH, MOVE, LOCK, UNLOCK and DELETE on the health check's probe (already PUT).
    async fn exercise(&self, probe: &str) -> std::result::Result<(), Refused> {
        let reach = Refused::Unreachable;
        let refused = |method, status| Err(Refused::Method { method, status });
        // A server that cannot store properties is still usable, through the manifest.
        match self.set_hash(probe, "probe").await {
            Ok(Ok(())) => {}
            Ok(Err(why)) => self.properties_refused(&why),
            Err(e) => return Err(reach(e)),
        }
        let moved = format!("{probe}-moved");
        let r = self
            .send("MOVE probe", || {
                Ok(self
                    .request("MOVE", probe)?
                    .header("Destination", self.url(&moved)?)
                    .header("Overwrite", "T"))
            })
            .await
            .map_err(reach)?;
        if !r.status().is_success() {
            return refused("MOVE", r.status());
        }
        let lock = staging::run().temp_path("lock");
        let r = self.lock_request(&lock).await.map_err(reach)?;
        if !r.status().is_success() {
            return refused("LOCK", r.status());
        }
        let token = self.lock_token("LOCK probe", r).map_err(reach)?;
        let r = self
            .send("UNLOCK probe", || {
                Ok(self
                    .request("UNLOCK", &lock)?
                    .header("Lock-Token", format!("<{token}>")))
            })
            .await
            .map_err(reach)?;
        if !r.status().is_success() {
            return refused("UNLOCK", r.status());
        }
        for p in [&lock, &moved] {
            let r = self
                .send("DELETE probe", || self.request("DELETE", p))
                .await
                .map_err(reach)?;
            if !(r.status().is_success() || r.status() == StatusCode::NOT_FOUND) {
                return refused("DELETE", r.status());
            }
        }
        Ok(())
    }

    /// MKCOL the base collection and any missing parents, from the top down.
    async fn create_base(&self) -> Result<()> {
        let url = reqwest::Url::parse(&self.base)
            .map_err(|e| self.remote(format!("`target.url` is not a URL: {e}")))?;
        let segments: Vec<&str> = url
            .path()
            .split_terminator('/')
            .filter(|s| !s.is_empty())
            .collect();
        let mut dir = url.clone();
        for i in 0..segments.len() {
            dir.set_path(&format!("/{}/", segments[..=i].join("/")));
            let what = format!("MKCOL {dir}");
            let target = dir.clone();
            let r = self
                .send(&what, || {
                    Ok(self
                        .client
                        .request(method("MKCOL"), target.clone())
                        .basic_auth(&self.user, Some(self.password.expose())))
                })
                .await?;
            if !(r.status().is_success() || r.status() == StatusCode::METHOD_NOT_ALLOWED) {
                return Err(self.remote(format!("{what}: the server answered {}", r.status())));
            }
        }
        Ok(())
    }
}

/// A method the server refused in the health check, or a failure to reach it.
enum Refused {
    Method {
        method: &'static str,
        status: StatusCode,
    },
    Unreachable(Error),
}

/// What to tell the operator when the server refuses `method`.
fn refused_advice(method: &str, status: StatusCode) -> String {
    let why = match method {
        "MKCOL" => "eventcast creates a folder per webinar and a staging folder (.eventcast-tmp)",
        "MOVE" => "eventcast uploads each file under a temporary name and moves it into place",
        "LOCK" | "UNLOCK" => "eventcast locks catalog.json while it updates it, so that two runs never lose each other's webinars",
        _ => "eventcast deletes its probe, temporary files and files no longer published",
    };
    let how = match method {
        "LOCK" | "UNLOCK" => "enable WebDAV locking for this location: Apache mod_dav needs `DavLockDB` and LOCK/UNLOCK allowed (no `AllowMethods` or `<Limit>` excluding them); nginx's dav module has no locking, add the nginx-dav-ext module with `dav_ext_lock`; Nextcloud and rclone support it",
        _ => "allow this method for the account at this URL in the server's WebDAV configuration (Apache: `Dav On`, and no `AllowMethods` or `<Limit>` excluding it; nginx: `dav_methods PUT DELETE MKCOL COPY MOVE`)",
    };
    format!(
        "the WebDAV server refused {method} ({status}) in the check before encoding: {why}. To publish here, {how}; nothing was encoded or published"
    )
}
