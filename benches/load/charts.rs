//! SVG charts of a run (plotters): throughput and p99 latency by dataset size for each
//! scenario, and the distribution of reminder delivery lag.

use std::path::Path;

use plotters::prelude::*;

/// One line of a chart: a label and (dataset size, value) points.
pub struct Series {
    /// What the line shows.
    pub label: String,
    /// Points by dataset size.
    pub points: Vec<(f64, f64)>,
}

const COLOURS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// A line chart with a logarithmic x axis (dataset size) and a logarithmic y axis.
pub fn lines(
    path: &Path,
    title: &str,
    y_label: &str,
    series: &[Series],
) -> Result<(), Box<dyn std::error::Error>> {
    let points = series.iter().flat_map(|s| s.points.iter());
    let (mut x_max, mut y_min, mut y_max) = (10_000f64, f64::MAX, 0f64);
    for (x, y) in points {
        x_max = x_max.max(*x);
        if *y > 0.0 {
            y_min = y_min.min(*y);
            y_max = y_max.max(*y);
        }
    }
    if y_max <= 0.0 {
        return Ok(());
    }
    let root = SVGBackend::new(path, (900, 520)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(
            (5_000f64..x_max * 2.0).log_scale(),
            (y_min / 2.0..y_max * 2.0).log_scale(),
        )?;
    chart
        .configure_mesh()
        .x_desc("contacts in the database")
        .y_desc(y_label)
        .x_label_formatter(&|x| format!("{}k", (*x / 1000.0).round()))
        .draw()?;
    for (index, line) in series.iter().enumerate() {
        let colour = COLOURS[index % COLOURS.len()];
        chart
            .draw_series(
                LineSeries::new(line.points.clone(), colour.stroke_width(2)).point_size(4),
            )?
            .label(line.label.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::LowerLeft)
        .draw()?;
    root.present()?;
    Ok(())
}

/// A histogram of reminder delivery lags (ms), in 1 ms buckets.
pub fn lag_histogram(
    path: &Path,
    title: &str,
    lags: &[f64],
) -> Result<(), Box<dyn std::error::Error>> {
    if lags.is_empty() {
        return Ok(());
    }
    let top = lags.iter().copied().fold(0f64, f64::max).ceil().max(5.0) as u32 + 1;
    let root = SVGBackend::new(path, (900, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut counts = vec![0u32; top as usize + 1];
    for lag in lags {
        counts[(lag.max(0.0).floor() as usize).min(top as usize)] += 1;
    }
    let highest = counts.iter().copied().max().unwrap_or(1);
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d((0u32..top).into_segmented(), 0u32..highest + 1)?;
    chart
        .configure_mesh()
        .x_desc("lag after the due time (ms, 1 ms buckets)")
        .y_desc("reminders")
        .draw()?;
    chart.draw_series(
        Histogram::vertical(&chart).style(COLOURS[0].filled()).data(
            lags.iter()
                .map(|lag| ((lag.max(0.0).floor() as u32).min(top - 1), 1)),
        ),
    )?;
    root.present()?;
    Ok(())
}
