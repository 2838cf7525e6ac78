//! The report's charts, as SVG, from the CSV files the measuring tools wrote:
//! - `--cold-start CSV` (from `cold-start --csv`): start → first response of every
//!   function, against the floors (hello-world, that + 3 ms, one GetItem with this
//!   project's SDK set-up, one GetItem with the default SDK set-up);
//! - `--search-cost CSV` (from the search benchmark's `--csv`): DynamoDB requests and read
//!   units per query against catalogue size, ours beside Scan + filter.
//!
//! Usage: `charts --out DIR [--cold-start CSV] [--search-cost CSV]`.

use std::path::{Path, PathBuf};

use bench::arg;
use plotters::prelude::*;

const HELLO: &str = "floor: hello-world lambda_http";
const SDK: &str = "floor: + default aws-config, DynamoDB GetItem";
const LEAN: &str = "floor: + shop::aws, DynamoDB GetItem";

type Error = Box<dyn std::error::Error>;

fn read_csv(path: &Path) -> Result<Vec<csv::StringRecord>, Error> {
    let mut reader = csv::Reader::from_path(path)?;
    Ok(reader.records().collect::<Result<_, _>>()?)
}

fn number(record: &csv::StringRecord, i: usize) -> Result<f64, Error> {
    Ok(record.get(i).ok_or("short CSV row")?.parse()?)
}

/// Horizontal bars: each function's median start → first response, with the floors as
/// vertical lines. Bars past the axis are cut and labelled with their value.
fn cold_start(csv: &Path, out: &Path) -> Result<(), Error> {
    let rows = read_csv(csv)?;
    let mut functions: Vec<(String, f64)> = Vec::new();
    let (mut hello, mut sdk, mut lean) = (0.0, 0.0, 0.0);
    for row in &rows {
        let label = row.get(0).unwrap_or_default().to_owned();
        let first = number(row, 2)?;
        match label.as_str() {
            HELLO => hello = first,
            SDK => sdk = first,
            LEAN => lean = first,
            _ => functions.push((label, first)),
        }
    }
    functions.sort_by(|a, b| a.1.total_cmp(&b.1));
    let axis = (sdk * 1.5).max(hello + 6.0);
    let height = 80 + 18 * functions.len() as u32;
    let root = SVGBackend::new(out, (760, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Cold start: process start → first response, median (ms)",
            ("sans-serif", 16),
        )
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(130)
        .build_cartesian_2d(0.0..axis, (0..functions.len()).into_segmented())?;
    let names: Vec<String> = functions.iter().map(|(n, _)| n.clone()).collect();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(functions.len())
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                names.get(*i).cloned().unwrap_or_default()
            }
            SegmentValue::Last => String::new(),
        })
        .x_desc("ms (orange: more than the hello-world floor + 3 ms)")
        .draw()?;
    chart.draw_series(functions.iter().enumerate().map(|(i, (_, ms))| {
        let end = ms.min(axis);
        let color = if *ms <= hello + 3.0 {
            RGBColor(70, 130, 180)
        } else {
            RGBColor(230, 140, 40)
        };
        let mut bar = Rectangle::new(
            [
                (0.0, SegmentValue::Exact(i)),
                (end, SegmentValue::Exact(i + 1)),
            ],
            color.filled(),
        );
        bar.set_margin(2, 2, 0, 0);
        bar
    }))?;
    chart.draw_series(
        functions
            .iter()
            .enumerate()
            .filter(|(_, (_, ms))| *ms > axis)
            .map(|(i, (_, ms))| {
                Text::new(
                    format!("{ms:.1} ms →"),
                    (axis * 0.85, SegmentValue::CenterOf(i)),
                    ("sans-serif", 12).into_font().color(&WHITE),
                )
            }),
    )?;
    for (x, label, color) in [
        (hello, format!("hello-world floor {hello:.2} ms"), BLACK),
        (hello + 3.0, "hello-world floor + 3 ms".to_owned(), RED),
        (
            lean,
            format!("one GetItem floor (shop::aws) {lean:.2} ms"),
            GREEN,
        ),
        (sdk, format!("default SDK floor {sdk:.2} ms"), BLUE),
    ] {
        chart
            .draw_series(LineSeries::new(
                [(x, SegmentValue::Exact(0)), (x, SegmentValue::Last)],
                color.stroke_width(2),
            ))?
            .label(label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// Two panels, log-log: requests and read units per query against catalogue size.
fn search_cost(csv: &Path, out: &Path) -> Result<(), Error> {
    let rows = read_csv(csv)?;
    // goods,requests,items,read_units,scan_requests,scan_items,scan_read_units
    let mut points: Vec<[f64; 5]> = Vec::new();
    for row in &rows {
        points.push([
            number(row, 0)?,
            number(row, 1)?,
            number(row, 3)?,
            number(row, 4)?,
            number(row, 6)?,
        ]);
    }
    if points.is_empty() {
        return Err("no rows".into());
    }
    let (min_size, max_size) = (points[0][0], points[points.len() - 1][0]);
    let root = SVGBackend::new(out, (760, 320)).into_drawing_area();
    root.fill(&WHITE)?;
    let panels = root.split_evenly((1, 2));
    for (panel, (title, ours, scan)) in panels.iter().zip([
        ("DynamoDB requests per query", 1, 3),
        ("read capacity units per query", 2, 4),
    ]) {
        let top = points
            .iter()
            .map(|p| p[ours].max(p[scan]))
            .fold(1.0, f64::max)
            * 2.0;
        let mut chart = ChartBuilder::on(panel)
            .caption(title, ("sans-serif", 15))
            .margin(10)
            .x_label_area_size(35)
            .y_label_area_size(50)
            .build_cartesian_2d(
                (min_size * 0.7..max_size * 1.4).log_scale(),
                (0.5..top).log_scale(),
            )?;
        chart
            .configure_mesh()
            .x_desc("goods in the catalogue")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .draw()?;
        for (label, column, color) in [("search index", ours, BLUE), ("Scan + filter", scan, RED)] {
            chart
                .draw_series(LineSeries::new(
                    points.iter().map(|p| (p[0], p[column])),
                    color.stroke_width(2),
                ))?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 16, y)], color.stroke_width(2))
                });
            chart.draw_series(
                points
                    .iter()
                    .map(|p| Circle::new((p[0], p[column]), 3, color.filled())),
            )?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .draw()?;
    }
    root.present()?;
    Ok(())
}

fn main() -> Result<(), Error> {
    let out = PathBuf::from(arg("--out").ok_or("--out DIR is required")?);
    std::fs::create_dir_all(&out)?;
    if let Some(csv) = arg("--cold-start") {
        cold_start(Path::new(&csv), &out.join("cold-start.svg"))?;
    }
    if let Some(csv) = arg("--search-cost") {
        search_cost(Path::new(&csv), &out.join("search-cost.svg"))?;
    }
    Ok(())
}
