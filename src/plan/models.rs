//! Voices as models: fingerprints standardised over the recording, each person's voice as
//! one or two means of theirs (a laptop and then a phone), and how far one's own speech
//! typically lies from one's model.

use super::voice::DIMS;

/// Fingerprints scaled so every coefficient has zero mean and unit spread over the
/// speech (weighted by `weight`, the seconds each print stands for).
pub fn standardise(prints: &[[f32; DIMS]], weight: &[f64]) -> Vec<[f64; DIMS]> {
    let total: f64 = weight.iter().sum::<f64>().max(1e-9);
    let mut mean = [0f64; DIMS];
    let mut var = [0f64; DIMS];
    for (p, w) in prints.iter().zip(weight) {
        for k in 0..DIMS {
            mean[k] += p[k] as f64 * w / total;
        }
    }
    for (p, w) in prints.iter().zip(weight) {
        for k in 0..DIMS {
            var[k] += (p[k] as f64 - mean[k]).powi(2) * w / total;
        }
    }
    prints
        .iter()
        .map(|p| {
            let mut z = [0f64; DIMS];
            for k in 0..DIMS {
                z[k] = (p[k] as f64 - mean[k]) / var[k].sqrt().max(1e-6);
            }
            z
        })
        .collect()
}

/// One voice model per person: the mean of the standardised fingerprints known to be
/// theirs (two means when they were heard through two clearly different microphones,
/// say a laptop and then a phone), and how far one's own stretches of speech typically
/// lie from one's model.
#[derive(Debug, Clone)]
pub struct Models {
    means: Vec<Vec<[f64; DIMS]>>,
    typical: f64,
}

type Print = [f64; DIMS];

/// Seconds of a person's speech below which they get one mean only.
const TWO_MEANS_SECONDS: f64 = 40.0;
/// Least share of a person's speech the smaller of two means must explain.
const TWO_MEANS_SHARE: f64 = 0.2;

fn sq_distance(a: &Print, b: &Print) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>() / DIMS as f64
}

fn mean_of<'a>(items: impl Iterator<Item = (&'a Print, f64)>) -> Option<(Print, f64)> {
    let mut m = [0f64; DIMS];
    let mut total = 0.0;
    for (z, w) in items {
        for (o, x) in m.iter_mut().zip(z) {
            *o += x * w;
        }
        total += w;
    }
    (total > 0.0).then(|| {
        m.iter_mut().for_each(|x| *x /= total);
        (m, total)
    })
}

impl Models {
    /// Models for `people` persons from `(fingerprint, person, seconds)`; none when no
    /// person has a second of speech.
    pub fn learn<'a>(
        people: usize,
        known: impl Iterator<Item = (&'a Print, usize, f64)> + Clone,
    ) -> Option<Models> {
        let mut by_person: Vec<Vec<(&Print, f64)>> = vec![Vec::new(); people];
        for (z, p, w) in known.clone() {
            by_person[p].push((z, w));
        }
        let mut means: Vec<Vec<Print>> = by_person
            .iter()
            .map(|items| match mean_of(items.iter().copied()) {
                Some((m, w)) if w >= 1.0 => vec![m],
                _ => Vec::new(),
            })
            .collect();
        if means.iter().all(Vec::is_empty) {
            return None;
        }
        let mut models = Models {
            means: means.clone(),
            typical: 1.0,
        };
        models.typical = models.own_typical(known.clone());
        // A second mean where a person's speech falls in two clear groups that are not
        // someone else's voice.
        for (p, items) in by_person.iter().enumerate() {
            let total: f64 = items.iter().map(|x| x.1).sum();
            if total < TWO_MEANS_SECONDS || means[p].is_empty() {
                continue;
            }
            if let Some((a, b)) = two_means(items, total) {
                let apart = sq_distance(&a, &b) > 2.0 * models.typical;
                let others_near = |m: &Print| {
                    (0..people).filter(|&q| q != p).any(|q| {
                        models.means[q]
                            .iter()
                            .any(|o| sq_distance(o, m) < 2.0 * models.typical)
                    })
                };
                if apart && !others_near(&a) && !others_near(&b) {
                    means[p] = vec![a, b];
                }
            }
        }
        models.means = means;
        models.typical = models.own_typical(known);
        Some(models)
    }

    fn own_typical<'a>(&self, known: impl Iterator<Item = (&'a Print, usize, f64)>) -> f64 {
        let (own, weights): (Vec<f64>, Vec<f64>) = known
            .filter_map(|(z, p, w)| self.distance(z, p).map(|d| (d, w)))
            .unzip();
        weighted_median(&own, &weights).max(1e-6)
    }

    /// Mean squared distance of `z` from person `p`'s model, if they have one.
    pub fn distance(&self, z: &Print, p: usize) -> Option<f64> {
        self.means[p]
            .iter()
            .map(|m| sq_distance(m, z))
            .min_by(f64::total_cmp)
    }

    /// How far one's own speech typically lies from one's model.
    pub fn typical(&self) -> f64 {
        self.typical
    }

    /// How far apart two people's voices typically lie (the median over pairs of the
    /// nearest two of their means), in the units of [`Models::typical`]; `None` with
    /// fewer than two voices.
    pub fn apart(&self) -> Option<f64> {
        let mut d: Vec<f64> = Vec::new();
        for (p, a) in self.means.iter().enumerate() {
            for b in &self.means[p + 1..] {
                let near = a
                    .iter()
                    .flat_map(|x| b.iter().map(move |y| sq_distance(x, y)))
                    .min_by(f64::total_cmp);
                d.extend(near);
            }
        }
        d.sort_by(f64::total_cmp);
        (!d.is_empty()).then(|| d[d.len() / 2] / self.typical)
    }
}

/// Two means of weighted prints (a few rounds of k-means from the two prints farthest
/// apart), when each explains at least [`TWO_MEANS_SHARE`] of the weight.
fn two_means(items: &[(&Print, f64)], total: f64) -> Option<(Print, Print)> {
    let (centre, _) = mean_of(items.iter().copied())?;
    let far = |from: &Print| {
        items
            .iter()
            .filter(|x| x.1 >= 1.0)
            .max_by(|x, y| sq_distance(x.0, from).total_cmp(&sq_distance(y.0, from)))
            .map(|x| *x.0)
    };
    let mut a = far(&centre)?;
    let mut b = far(&a)?;
    for _ in 0..8 {
        let near_a = |z: &Print| sq_distance(z, &a) <= sq_distance(z, &b);
        let (na, wa) = mean_of(items.iter().filter(|x| near_a(x.0)).copied())?;
        let (nb, wb) = mean_of(items.iter().filter(|x| !near_a(x.0)).copied())?;
        if wa.min(wb) < TWO_MEANS_SHARE * total {
            return None;
        }
        a = na;
        b = nb;
    }
    Some((a, b))
}

/// The value below which half the weight lies.
pub fn weighted_median(values: &[f64], weights: &[f64]) -> f64 {
    let mut v: Vec<(f64, f64)> = values
        .iter()
        .zip(weights)
        .filter(|(v, _)| v.is_finite())
        .map(|(&v, &w)| (v, w))
        .collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let half = v.iter().map(|x| x.1).sum::<f64>() / 2.0;
    let mut acc = 0.0;
    for (x, w) in &v {
        acc += w;
        if acc >= half {
            return *x;
        }
    }
    1.0
}
