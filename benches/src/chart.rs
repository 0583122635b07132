//! A horizontal bar chart as SVG: one panel per row of figures, one bar per implementation, each panel scaled
//! to its own largest bar. `report` draws its throughput chart with it, `load` its scale chart.

use std::fmt::Write as _;

/// The colour of our implementation's bars.
pub const OURS_COLOUR: &str = "#d95f02";
/// The colour of a peer's bars.
pub const PEER_COLOUR: &str = "#7570b3";
/// The colour of a limit's or a baseline's bars.
pub const LIMIT_COLOUR: &str = "#bbbbbb";

/// One bar of a panel.
#[derive(Clone, Debug)]
pub struct Bar {
    /// The name written left of the bar.
    pub label: String,
    /// Its length, in the panel's unit; `None` draws no bar, only `text` in grey italics (e.g. `too slow`).
    pub value: Option<f64>,
    /// The figure written after the bar (or in its place).
    pub text: String,
    /// The bar's fill colour.
    pub colour: &'static str,
}

/// One panel: a title and its bars, scaled to the largest of them.
#[derive(Clone, Debug)]
pub struct Panel {
    /// The panel's title.
    pub title: String,
    /// Its bars, top to bottom.
    pub bars: Vec<Bar>,
}

/// Escapes text for SVG.
#[must_use]
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The chart: `title` above the panels, in the order given.
#[must_use]
pub fn svg(title: &str, panels: &[Panel]) -> String {
    const WIDTH: f64 = 760.0;
    const LABEL: f64 = 170.0;
    const BARS: f64 = 470.0;
    const BAR: f64 = 14.0;
    const STEP: f64 = 18.0;
    const TITLE: f64 = 26.0;
    const GAP: f64 = 14.0;
    let mut body = String::new();
    let mut y = 40.0;
    for panel in panels {
        let max = panel.bars.iter().filter_map(|bar| bar.value).fold(0.0, f64::max);
        let _ =
            writeln!(body, r#"<text x="10" y="{:.0}" font-weight="bold">{}</text>"#, y + 16.0, escape(&panel.title));
        y += TITLE;
        for bar in &panel.bars {
            let text_y = y + BAR - 3.0;
            let _ = writeln!(
                body,
                r#"<text x="{:.0}" y="{text_y:.0}" text-anchor="end">{}</text>"#,
                LABEL - 6.0,
                escape(&bar.label)
            );
            match bar.value {
                Some(value) if max > 0.0 => {
                    let width = (BARS * value / max).max(1.0);
                    let _ = writeln!(
                        body,
                        r#"<rect x="{LABEL:.0}" y="{y:.0}" width="{width:.1}" height="{BAR:.0}" fill="{}"/>"#,
                        bar.colour
                    );
                    let _ = writeln!(
                        body,
                        r#"<text x="{:.1}" y="{text_y:.0}">{}</text>"#,
                        LABEL + width + 5.0,
                        escape(&bar.text)
                    );
                }
                _ => {
                    let _ = writeln!(
                        body,
                        r##"<text x="{LABEL:.0}" y="{text_y:.0}" fill="#888888" font-style="italic">{}</text>"##,
                        escape(&bar.text)
                    );
                }
            }
            y += STEP;
        }
        y += GAP;
    }
    format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" "#,
            r#"font-family="sans-serif" font-size="12">"#,
            "\n",
            r#"<rect width="100%" height="100%" fill="white"/>"#,
            "\n",
            r#"<text x="10" y="24" font-size="16" font-weight="bold">{title}</text>"#,
            "\n{body}</svg>\n"
        ),
        w = WIDTH,
        h = y + 10.0,
        title = escape(title),
        body = body
    )
}
