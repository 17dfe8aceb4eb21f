//! Import a published event page (Markdown or HTML) into an [`Agenda`].
use std::path::Path;

use super::agenda::Agenda;
use crate::error::{Error, Result};

pub fn import(_text: &str, path: &Path) -> Result<Agenda> {
    Err(Error::input(path, "event page import is not written yet"))
}
