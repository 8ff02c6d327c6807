//! The confusion matrix as a picture: rows are the truth, columns the prediction, each cell
//! shaded by the share of its row and labelled with the count and percentage.

use std::path::Path;

use plotters::prelude::*;
use speech_emotion::Emotion;

use crate::metrics::Report;

/// Draws `report`'s confusion matrix into a PNG at `path`.
pub fn confusion_png(
    report: &Report,
    title: &str,
    path: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let cell = 78i32;
    let (left, top) = (110i32, 90i32);
    let size = (
        (left + cell * Emotion::COUNT as i32 + 20) as u32,
        (top + cell * Emotion::COUNT as i32 + 70) as u32,
    );
    let root = BitMapBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE)?;
    let font = |px: i32| ("sans-serif", px).into_font();
    root.draw(&Text::new(
        title.to_string(),
        (12, 12),
        font(18).color(&BLACK),
    ))?;
    root.draw(&Text::new(
        format!(
            "accuracy {:.1} %   UAR {:.3}   macro-F1 {:.3}   {} clips",
            100.0 * report.accuracy,
            report.uar,
            report.macro_f1,
            report.n
        ),
        (12, 38),
        font(15).color(&BLACK),
    ))?;
    root.draw(&Text::new(
        "predicted →",
        (left, top - 38),
        font(14).color(&BLACK),
    ))?;
    for (i, e) in Emotion::ALL.iter().enumerate() {
        let i = i as i32;
        root.draw(&Text::new(
            e.name(),
            (left + i * cell + 6, top - 18),
            font(14).color(&BLACK),
        ))?;
        root.draw(&Text::new(
            e.name(),
            (10, top + i * cell + cell / 2 - 8),
            font(14).color(&BLACK),
        ))?;
    }
    for (t, row) in report.confusion.iter().enumerate() {
        let total: usize = row.iter().sum();
        for (p, &count) in row.iter().enumerate() {
            let share = if total > 0 {
                count as f64 / total as f64
            } else {
                0.0
            };
            let shade = (255.0 * (1.0 - 0.85 * share)) as u8;
            let color = if t == p {
                RGBColor(shade, 255 - (255 - shade) / 3, shade)
            } else {
                RGBColor(255, shade, shade)
            };
            let (x, y) = (left + p as i32 * cell, top + t as i32 * cell);
            root.draw(&Rectangle::new(
                [(x, y), (x + cell - 2, y + cell - 2)],
                color.filled(),
            ))?;
            let ink = if share > 0.55 { WHITE } else { BLACK };
            root.draw(&Text::new(
                format!("{count}"),
                (x + 8, y + 18),
                font(16).color(&ink),
            ))?;
            root.draw(&Text::new(
                format!("{:.0}%", 100.0 * share),
                (x + 8, y + 42),
                font(13).color(&ink),
            ))?;
        }
    }
    root.draw(&Text::new(
        "rows: true emotion (share of the row); green diagonal = correct",
        (12, top + cell * Emotion::COUNT as i32 + 20),
        font(13).color(&BLACK),
    ))?;
    root.present()?;
    Ok(())
}
