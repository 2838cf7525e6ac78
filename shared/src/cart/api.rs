//! The request body of `PUT /cart/items/{goods_id}`, as the function reads it and as the
//! OpenAPI document describes it.

use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutBody {
    #[schema(minimum = 1, maximum = 99)]
    pub quantity: i64,
}
