//! The request bodies of the review routes, as the functions read them and as the
//! OpenAPI document describes them (the rules are [`super::ReviewDraft`]'s).

use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    #[schema(minimum = 1, maximum = 5)]
    pub rating: i64,
    /// Plain text, kept exactly as written; clients must escape it when displaying.
    #[schema(min_length = 1, max_length = 2000)]
    pub comment: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyBody {
    /// Plain text, kept exactly as written; clients must escape it when displaying.
    #[schema(min_length = 1, max_length = 2000)]
    pub reply: String,
}
