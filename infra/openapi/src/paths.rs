//! One `#[utoipa::path]` per function with a route, grouped by the document's tags. A
//! declaration is named after its operation id, which is its function's name under
//! `functions/` with `_` for `-` (`search_goods` and `recommendations` excepted, named
//! for their routes); its doc comment is the operation's description.

pub mod accounts;
pub mod goods;
pub mod orders;
pub mod recommendations;
pub mod reviews;
pub mod search;
