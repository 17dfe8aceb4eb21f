//! The dynamic programme: slot boundaries at unit edges with the least cost of hearing
//! each unit as someone its slot allows, plus a weak planned-length prior and the cost of a
//! Q&A opening with anyone but the moderator; cue-sheet anchors pin the starts they name.

use super::align::Slot;
use super::cuesheet::Anchor;
use super::speakers::Units;

/// Weight of the planned-length prior, in seconds of mismatched speech per (relative
/// deviation)² × planned seconds: weak, so it only decides what the voices leave open.
const PRIOR: f64 = 0.005;
/// Cost of a Q&A opening with someone else's words than the moderator's, in seconds of
/// the wrong voice.
const OPENER_COST: f64 = 2.0;

pub(super) fn argmin(v: &[f64]) -> usize {
    v.iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i)
        .unwrap_or(0)
}

/// Unit index each anchor pins its slot's start to.
pub(super) fn anchor_units(anchors: &[Option<Anchor>], spans: &[(f64, f64)]) -> Vec<Option<usize>> {
    anchors
        .iter()
        .map(|a| {
            a.map(|a| {
                spans
                    .iter()
                    .position(|&(s, e)| (s + e) / 2.0 >= a.start)
                    .unwrap_or(spans.len())
            })
        })
        .collect()
}

/// The cheapest slot boundaries (`slots + 1` unit indices, first 0, last `units.len()`).
pub(super) fn fit(units: &Units, slots: &[Slot], fixed: &[Option<usize>]) -> Vec<usize> {
    let spans = &units.spans;
    let n = spans.len();
    let m = slots.len();
    // prefix[s][u]: cost of units 0..u heard in slot s
    let prefix: Vec<Vec<f64>> = slots
        .iter()
        .map(|slot| {
            let mut acc = vec![0.0; n + 1];
            for u in 0..n {
                let c = slot
                    .allowed
                    .iter()
                    .map(|&(p, bias)| units.dist[u][p] + bias)
                    .fold(f64::INFINITY, f64::min);
                acc[u + 1] = acc[u] + (spans[u].1 - spans[u].0) * units.weight[u] * c;
            }
            acc
        })
        .collect();
    let prior = |s: usize, a: usize, b: usize| {
        let p = slots[s].planned;
        if p <= 0.0 {
            return 0.0;
        }
        let d = if a < b {
            spans[b - 1].1 - spans[a].0
        } else {
            0.0
        };
        PRIOR * (d - p).powi(2) / p
    };
    // A part that opens with someone else's words than its opener's: as costly as that
    // many seconds of the wrong voice, whatever its length (a question from the chat
    // read out by the moderator opens a Q&A, not the speaker's last sentence).
    let opening = |s: usize, a: usize| match slots[s].opener {
        Some(o) if a < n => {
            let row = &units.dist[a];
            let nearest = row.iter().copied().fold(f64::INFINITY, f64::min);
            OPENER_COST * (row[o] - nearest).clamp(0.0, 1.0) * units.weight[a]
        }
        _ => 0.0,
    };
    let mut dp = vec![vec![f64::INFINITY; n + 1]; m];
    let mut back = vec![vec![0usize; n + 1]; m];
    for s in 0..m {
        let starts: Vec<usize> = match fixed[s] {
            Some(k) => vec![k],
            None if s == 0 => vec![0],
            None => (0..=n).collect(),
        };
        for &a in &starts {
            let before = if s == 0 { 0.0 } else { dp[s - 1][a] };
            if !before.is_finite() {
                continue;
            }
            let ends: Box<dyn Iterator<Item = usize>> = if s + 1 == m {
                Box::new(std::iter::once(n))
            } else {
                Box::new(a..=n)
            };
            for b in ends {
                let open = if a < b { opening(s, a) } else { 0.0 };
                let c = before + prefix[s][b] - prefix[s][a] + prior(s, a, b) + open;
                if c < dp[s][b] {
                    dp[s][b] = c;
                    back[s][b] = a;
                }
            }
        }
    }
    let mut bounds = vec![0; m + 1];
    bounds[m] = n;
    for s in (0..m).rev() {
        bounds[s] = back[s][bounds[s + 1]];
    }
    bounds
}
