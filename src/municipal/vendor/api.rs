//! `/vendor/v1/_create`, `/vendor/v1/_search`.

use crate::http::routes::Routes;

pub fn routes(_r: &mut Routes<'_>) {}
