//! `--shard I/N`: which webinars of an inbox are this process's, by a hash of their names.

/// Shard `index` of `count` (`--shard I/N`, 0-based): the webinars whose name hashes to
/// it. The hash is of the name alone, so a webinar stays in its shard when others are
/// added, and every machine agrees without talking to the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Whether webinar `name` is this shard's.
    pub fn holds(self, name: &str) -> bool {
        let h = blake3::hash(name.as_bytes());
        let first = u64::from_le_bytes(h.as_bytes()[..8].try_into().expect("8 bytes"));
        first % self.count == self.index
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Shard, String> {
        let bad = || format!("`{s}` is not a shard: write I/N, I from 0 to N-1 (e.g. 0/4)");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            i.trim().parse::<u64>().map_err(|_| bad())?,
            n.trim().parse::<u64>().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(from: usize, to: usize) -> Vec<String> {
        (from..to)
            .map(|i| format!("2024-{:02}-{:02}-webinar-{i}", i % 12 + 1, i % 28 + 1))
            .collect()
    }

    fn shards(count: u64) -> Vec<Shard> {
        (0..count).map(|index| Shard { index, count }).collect()
    }

    #[test]
    fn every_webinar_is_in_exactly_one_shard_and_the_shards_are_even() {
        let all = names(0, 1000);
        for count in [2, 4, 8] {
            let sizes: Vec<usize> = shards(count)
                .iter()
                .map(|s| all.iter().filter(|n| s.holds(n)).count())
                .collect();
            assert_eq!(
                sizes.iter().sum::<usize>(),
                1000,
                "{count} shards: {sizes:?}"
            );
            for n in &all {
                let owners = shards(count).iter().filter(|s| s.holds(n)).count();
                assert_eq!(owners, 1, "{n} in {owners} of {count} shards");
            }
            // A hash spreads names as fair coin throws would: each shard's size within four
            // standard deviations of the binomial (1000 names, p = 1/count).
            let p = 1.0 / count as f64;
            let (even, spread) = (1000.0 * p, (1000.0 * p * (1.0 - p)).sqrt());
            for &size in &sizes {
                assert!(
                    (size as f64 - even).abs() <= 4.0 * spread,
                    "{count} shards: {sizes:?}, each should be within {:.0} of {even}",
                    4.0 * spread
                );
            }
        }
    }

    #[test]
    fn adding_webinars_moves_none_of_the_others() {
        let before = names(0, 1000);
        let owner = |n: &str| shards(4).iter().position(|s| s.holds(n)).unwrap();
        let placed: Vec<usize> = before.iter().map(|n| owner(n)).collect();
        let mut after = names(1000, 1300);
        after.extend(before.iter().cloned());
        for (n, &was) in before.iter().zip(&placed) {
            assert_eq!(owner(n), was, "{n} moved shards");
        }
        assert!(after.iter().all(|n| shards(4).iter().any(|s| s.holds(n))));
    }

    #[test]
    fn shards_are_written_as_i_slash_n() {
        assert_eq!("3/4".parse::<Shard>(), Ok(Shard { index: 3, count: 4 }));
        for bad in ["4/4", "1/0", "x/2", "2", "-1/3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
