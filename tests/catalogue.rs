//! The demo catalogue loader, run for real against the local stack on a small data set
//! in the UCI Online Retail format: imported straight into the tables, then through the
//! API, a second run creates nothing, and the imported goods reach search.

use std::io::Write;
use std::process::Command;

use e2e::{api_url, Api};
use reqwest::Method;

const CSV: &str =
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom
536366,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2011-01-01 08:26:00,2.95,17850.0,United Kingdom
536367,22633,HAND WARMER UNION JACK,6,2010-12-01 08:34:00,1.85,13047.0,United Kingdom
536368,84029G,KNITTED UNION FLAG HOT WATER BOTTLE,6,2010-12-01 08:26:00,3.39,,United Kingdom
536369,POST,POSTAGE,1,2010-12-01 08:34:00,18.0,13047.0,France
";

/// Runs the loader; `direct`: with `--direct` and the stack's functions' environment.
fn load(data: &std::path::Path, direct: bool) -> String {
    let binary = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../target/debug/demo-catalogue"
    );
    let mut args = vec![
        "--api".to_owned(),
        api_url(),
        "--data".to_owned(),
        data.to_str().unwrap().to_owned(),
    ];
    if direct {
        let env_file = std::env::var("LOCAL_LAMBDA_ENV_FILE")
            .expect("LOCAL_LAMBDA_ENV_FILE: the stack's functions' environment (infra/test.sh)");
        args.extend(["--direct".to_owned(), env_file]);
    }
    let out = Command::new(binary)
        .args(args)
        .output()
        .expect("demo-catalogue runs (infra/test.sh builds it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn loading_the_demo_catalogue_twice_creates_it_once() {
    let dir = std::env::temp_dir().join(format!("shop-catalogue-{}", e2e::unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("online_retail.csv.gz");
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&data).unwrap(),
        flate2::Compression::fast(),
    );
    gz.write_all(CSV.as_bytes()).unwrap();
    gz.finish().unwrap();

    let first = load(&data, true);
    assert!(
        first.contains("3 products in the data set, 0 already in the shop, 3 created, 0 failed"),
        "{first}"
    );
    let second = load(&data, false);
    assert!(
        second.contains("3 already in the shop, 0 created"),
        "{second}"
    );

    let merchant_id = first
        .split("id ")
        .last()
        .unwrap()
        .trim_end_matches([')', '\n'])
        .to_owned();
    let (_, page) = Api::new()
        .call(
            Method::GET,
            &format!("/goods?merchant_id={merchant_id}"),
            None,
            None,
        )
        .await;
    let heart = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "White Hanging Heart T-light Holder")
        .cloned()
        .unwrap();
    assert_eq!(
        (heart["price"].as_i64(), heart["currency"].as_str()),
        (Some(295), Some("GBP")),
        "the latest price, in pence"
    );
    assert_eq!(heart["category"], "Lighting");

    // The import's writes reach search through the goods table's stream.
    let id = heart["goods_id"].as_str().unwrap().to_owned();
    e2e::eventually(30, "the imported goods in search", || async {
        let (status, page) = Api::new()
            .call(
                Method::GET,
                "/search?q=hanging%20heart%20holder",
                None,
                None,
            )
            .await;
        assert_eq!(status, 200);
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|hit| hit["goods"]["goods_id"] == id.as_str())
            .then_some(())
    })
    .await;
    std::fs::remove_dir_all(dir).ok();
}
