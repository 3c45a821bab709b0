//! `/echallan-services/eChallan/v1/{_create,_update,_updateCreateNoPayment,_search}`.

use crate::http::routes::Routes;

pub fn routes(_r: &mut Routes<'_>) {}
