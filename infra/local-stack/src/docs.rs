//! The API reference page, `GET /docs`: Swagger UI rendering this stack's
//! `GET /openapi.json`. "Try it out" calls the page's own origin, this stack, and sends the
//! bearer token given under "Authorize" (the cookie scheme can't be set from a page).
//!
//! The assets are `swagger-ui-dist`'s, pinned and installed by `infra/install.sh` into
//! `.local/swagger-ui` (`LOCAL_DOCS_DIR`); they are read once at start and served from
//! memory. Without them `/docs` answers 404 saying how to install them.

use std::path::Path;

use axum::body::{Body, Bytes};
use axum::http::{Response, StatusCode};

/// The page: Swagger UI's bundle, mounted on the document this stack serves.
const PAGE: &str = r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>shop: API reference</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  displayRequestDuration: true,
  tryItOutEnabled: true,
});
</script>
</body>
</html>
"##;

/// The assets the page loads: file name and content type.
const ASSETS: [(&str, &str); 3] = [
    ("swagger-ui.css", "text/css; charset=utf-8"),
    ("swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    ("favicon-32x32.png", "image/png"),
];

/// The page and its assets, in memory.
pub struct Docs {
    assets: Vec<(&'static str, &'static str, Bytes)>,
}

impl Docs {
    /// Reads the assets from `dir`.
    ///
    /// # Errors
    /// The first asset that can't be read, named.
    pub fn load(dir: &Path) -> Result<Self, String> {
        let mut assets = Vec::new();
        for (name, content_type) in ASSETS {
            let path = dir.join(name);
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            assets.push((name, content_type, Bytes::from(bytes)));
        }
        Ok(Self { assets })
    }

    /// The answer to `GET path`, when it is the page or one of its assets.
    pub fn answer(docs: Option<&Self>, path: &str) -> Option<Response<Body>> {
        let rest = path.strip_prefix("/docs")?;
        if !(rest.is_empty() || rest.starts_with('/')) {
            return None;
        }
        let Some(docs) = docs else {
            return Some(text(
                StatusCode::NOT_FOUND,
                "text/plain; charset=utf-8",
                "The API reference needs Swagger UI's assets: run `bash infra/install.sh`.\n",
            ));
        };
        match rest {
            "" | "/" => Some(text(StatusCode::OK, "text/html; charset=utf-8", PAGE)),
            _ => {
                let name = rest.strip_prefix('/')?;
                let (_, content_type, bytes) = docs.assets.iter().find(|(n, _, _)| *n == name)?;
                Some(
                    Response::builder()
                        .header("content-type", *content_type)
                        .header("cache-control", "max-age=3600")
                        .body(Body::from(bytes.clone()))
                        .expect("static response"),
                )
            }
        }
    }
}

fn text(status: StatusCode, content_type: &str, body: &'static str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Body::from(body))
        .expect("static response")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs() -> Docs {
        Docs {
            assets: vec![(
                "swagger-ui.css",
                "text/css; charset=utf-8",
                Bytes::from("a{}"),
            )],
        }
    }

    #[test]
    fn the_page_and_its_assets_are_served_and_nothing_else() {
        let docs = docs();
        for path in ["/docs", "/docs/"] {
            let page = Docs::answer(Some(&docs), path).unwrap();
            assert_eq!(page.status(), StatusCode::OK);
            assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
        }
        let css = Docs::answer(Some(&docs), "/docs/swagger-ui.css").unwrap();
        assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
        assert!(Docs::answer(Some(&docs), "/docs/../Cargo.toml").is_none());
        assert!(Docs::answer(Some(&docs), "/documents").is_none());
        assert!(Docs::answer(Some(&docs), "/goods").is_none());
    }

    #[test]
    fn without_the_assets_the_page_says_how_to_install_them() {
        let answer = Docs::answer(None, "/docs").unwrap();
        assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    }
}
