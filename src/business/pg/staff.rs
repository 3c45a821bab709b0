//! The counter staff's view of online payments: the GP's transactions (status, gateway id,
//! receipt, amount, date; by day) and the day's online collection.

use crate::http::routes::Routes;

pub fn routes(_r: &mut Routes<'_>) {}
