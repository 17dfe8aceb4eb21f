//! The last stage: a webinar's media and the site rebuilt with it go to the target, and
//! files no longer published are deleted; `remove` takes a webinar out the same way.

use std::collections::BTreeSet;
use std::path::Path;

use super::Session;
use crate::error::{Error, Result};
use crate::media::Rendition;
use crate::publish::{self, Payload, PublishReport, Upload};
use crate::site::{self, catalog};

/// Publish the webinar's media, then the site rebuilt from the published catalog with it
/// (again if another run changed the catalog meanwhile; what it renders is checked before
/// anything is published); then delete the files an earlier publication of it had and
/// this one has not (an episode renamed, another format).
pub(super) async fn publish_webinar(
    session: &Session,
    webinar: catalog::Webinar,
    earlier: Option<catalog::Webinar>,
    renditions: &[Rendition],
) -> Result<PublishReport> {
    let config = session.site_config()?;
    let target = session.target()?;
    let slug = webinar.slug.clone();
    let media: Vec<Upload> = renditions
        .iter()
        .flat_map(|r| {
            let clip = r
                .clip
                .iter()
                .flat_map(|c| [(&c.file_name, &c.path), (&c.poster_name, &c.poster)]);
            std::iter::once((&r.episode.file_name, &r.path)).chain(clip)
        })
        .map(|(name, path)| Upload {
            path: format!("{slug}/{name}"),
            payload: Payload::File(path.clone()),
        })
        .collect();
    let local_root = target.local_root().map(Path::to_path_buf);
    let mut stale = BTreeSet::new();
    let mut site = |mut published: catalog::Catalog| -> Result<Vec<Upload>> {
        let earlier = published
            .webinars
            .iter()
            .find(|w| w.slug == slug)
            .cloned()
            .or(earlier.clone());
        published.upsert(webinar.clone())?;
        let files: Vec<Upload> = site::build(config, &published)?
            .into_iter()
            .map(Upload::from)
            .collect();
        let mut staged = media.clone();
        staged.extend(files.iter().cloned());
        check_staged(local_root.as_deref(), &staged)?;
        let mut gone = match &earlier {
            Some(w) => published_files(w),
            None => BTreeSet::new(),
        };
        for up in &staged {
            gone.remove(&up.path);
        }
        stale = gone;
        Ok(files)
    };
    let dry_run = session.options.dry_run;
    let report = publish::publish(target, media.clone(), &mut site, dry_run).await?;
    if !dry_run && !stale.is_empty() {
        delete_files(target, &stale).await;
    }
    tracing::info!(
        written = report.written.len(),
        unchanged = report.unchanged.len(),
        conflicts = report.conflicts,
        dry_run = report.dry_run,
        "published into {}",
        target.describe()
    );
    Ok(report)
}

/// Check the site as readers will see it once `uploads` are published; a failure lists
/// every problem and nothing is published. On a remote target, files this run does not
/// upload were checked when they were published.
fn check_staged(local_root: Option<&Path>, uploads: &[Upload]) -> Result<()> {
    let problems = publish::check::check(&publish::check::Site::staged(local_root, uploads));
    if problems.is_empty() {
        return Ok(());
    }
    Err(Error::Check {
        context: "the built site failed its check, so nothing was published".into(),
        problems,
    })
}

/// Take a webinar out of the series: the feed, index and catalog are published without it;
/// then its files are deleted (on a folder target, its whole folder).
pub async fn remove(session: &Session, slug: &str) -> Result<String> {
    let target = session.target()?;
    session.check_target().await?;
    let (published, _) = publish::read_catalog(target).await?;
    if !published.webinars.iter().any(|w| w.slug == slug) {
        let known: Vec<&str> = published.webinars.iter().map(|w| w.slug.as_str()).collect();
        return Err(Error::Target {
            target: target.describe(),
            problem: format!(
                "has no webinar \"{slug}\"; published webinars: {}",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ),
        });
    }
    let config = session.site_config()?;
    let local_root = target.local_root().map(Path::to_path_buf);
    let mut site = |mut published: catalog::Catalog| -> Result<Vec<Upload>> {
        published.remove(slug);
        let files: Vec<Upload> = site::build(config, &published)?
            .into_iter()
            .map(Upload::from)
            .collect();
        check_staged(local_root.as_deref(), &files)?;
        Ok(files)
    };
    publish::publish(target, Vec::new(), &mut site, false).await?;
    match &local_root {
        Some(root) => publish::dir::delete_folder(root, slug)?,
        None => {
            let gone = published
                .webinars
                .iter()
                .find(|w| w.slug == slug)
                .map(published_files)
                .unwrap_or_default();
            delete_files(target, &gone).await;
        }
    }
    Ok(target.describe())
}

/// Every file a webinar's catalog entry puts on the site: its media (episodes, clips,
/// posters) and what the site builds in its folder (page, chapters, transcripts).
fn published_files(webinar: &catalog::Webinar) -> BTreeSet<String> {
    let mut files: BTreeSet<String> = site::webinar_files(webinar).into_iter().collect();
    for e in &webinar.episodes {
        files.insert(e.path.clone());
        if let Some(v) = &e.video {
            files.insert(v.clip.path.clone());
            files.insert(v.poster.path.clone());
        }
    }
    files
}

/// Delete files no longer published. Nothing links to them any more, so a failure is
/// only reported: the run has done its job.
async fn delete_files(target: &dyn publish::Target, paths: &BTreeSet<String>) {
    let mut deleted = 0;
    for path in paths {
        match target.delete(path).await {
            Ok(()) => deleted += 1,
            Err(e) => tracing::warn!("{path} is no longer published but could not be deleted: {e}"),
        }
    }
    tracing::info!(deleted, "deleted the files no longer published");
}
