//! The nightly report as one self-contained HTML page: no scripts, fonts or images from the
//! network; the charts are inline SVG.

use std::fmt::Write;

use crate::drift::Drift;
use crate::night::Night;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The page for `tonight`, with its drift and the nights before it (oldest first).
pub fn render(tonight: &Night, drift: &[Drift], history: &[Night]) -> String {
    let mut out = String::new();
    let verdict = if !tonight.green {
        "red"
    } else if drift.is_empty() {
        "green"
    } else {
        "green, with drift"
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>puppet-ci nightly {started}</title>\n<style>\
body{{font-family:sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left}}\
.red{{color:#b00}}.green{{color:#070}}.drift{{color:#a60}}svg{{background:#fafafa;border:1px solid #ddd}}\
</style></head><body>\n<h1>puppet-ci nightly {started}: <span class=\"{class}\">{verdict}</span></h1>\n<p>{seconds:.0} s; roles: {roles}.</p>\n",
        started = escape(&tonight.started),
        class = if tonight.green { if drift.is_empty() { "green" } else { "drift" } } else { "red" },
        seconds = tonight.seconds,
        roles = tonight.roles.len(),
    );
    if !tonight.rebuild_failures.is_empty() {
        out.push_str("<h2 class=\"red\">Rebuild failures</h2>\n<ul>\n");
        for failure in &tonight.rebuild_failures {
            let _ = writeln!(out, "<li>{} ({}): {}</li>", escape(&failure.image), escape(&failure.roles.join(", ")), escape(&failure.message));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("<h2>Drift since the last good night</h2>\n");
    if drift.is_empty() {
        out.push_str("<p>None.</p>\n");
    } else {
        out.push_str("<ul>\n");
        for item in drift {
            let _ = writeln!(out, "<li class=\"drift\">{}</li>", escape(&item.to_string()));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("<h2>Roles</h2>\n<table><tr><th>role</th><th>checks</th><th>changed on 2nd apply</th><th>packages</th><th>apply time</th></tr>\n");
    for role in &tonight.roles {
        let failed = role.checks.iter().filter(|check| !check.passed).count();
        let checks = if failed == 0 { format!("{} passed", role.checks.len()) } else { format!("<span class=\"red\">{failed} of {} failed</span>", role.checks.len()) };
        let times: Vec<f64> = history.iter().chain(std::iter::once(tonight)).filter_map(|night| night.role(&role.role)).map(|role| role.first_apply_seconds).collect();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{checks}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&role.role),
            escape(&role.second_apply_changes.join(", ")),
            role.packages.len(),
            chart(&times)
        );
    }
    out.push_str("</table>\n<h2>History</h2>\n<table><tr><th>night</th><th>result</th><th>roles</th><th>time</th></tr>\n");
    for night in history.iter().chain(std::iter::once(tonight)).rev() {
        let result = if night.green { "<span class=\"green\">green</span>" } else { "<span class=\"red\">red</span>" };
        let _ = writeln!(out, "<tr><td>{}</td><td>{result}</td><td>{}</td><td>{:.0} s</td></tr>", escape(&night.started), night.roles.len(), night.seconds);
    }
    out.push_str("</table>\n</body></html>\n");
    out
}

/// A small line chart of apply times, oldest on the left, as inline SVG.
fn chart(seconds: &[f64]) -> String {
    const WIDTH: f64 = 160.0;
    const HEIGHT: f64 = 40.0;
    let Some(last) = seconds.last() else { return String::new() };
    let max = seconds.iter().copied().fold(f64::MIN, f64::max).max(0.001);
    let step = if seconds.len() > 1 { WIDTH / (seconds.len() - 1) as f64 } else { 0.0 };
    let points: Vec<String> = seconds.iter().enumerate().map(|(index, value)| format!("{:.1},{:.1}", index as f64 * step, HEIGHT - value / max * (HEIGHT - 4.0) - 2.0)).collect();
    format!(
        "<svg width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"apply time per night\"><polyline fill=\"none\" stroke=\"#36c\" stroke-width=\"2\" points=\"{}\"/></svg> {last:.1} s",
        points.join(" ")
    )
}
