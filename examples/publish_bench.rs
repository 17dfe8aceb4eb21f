//! Upload throughput to an S3-compatible store: one file of SIZE_MB (default 100) random
//! bytes through eventcast's S3 target (multipart above 8 MiB), read back and compared.
//! Run by bench/publish.sh, which starts a local moto server and sets:
//! BENCH_ENDPOINT, BENCH_BUCKET, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.

use std::time::Instant;

use eventcast::publish::{s3::S3Target, FileMeta, Payload, Target, Upload};

fn main() -> anyhow::Result<()> {
    let endpoint = std::env::var("BENCH_ENDPOINT")?;
    let bucket = std::env::var("BENCH_BUCKET")?;
    let mb: usize = std::env::var("SIZE_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("big.mp3");
    let mut bytes = vec![0u8; mb << 20];
    rand::fill(&mut bytes[..]);
    std::fs::write(&file, &bytes)?;
    let hash = blake3::hash(&bytes).to_hex().to_string();
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let target = S3Target::new(&bucket, "us-east-1", Some(&endpoint), "bench/", true)?;
        target.check().await?;
        let up = Upload {
            path: "big.mp3".into(),
            payload: Payload::File(file.clone()),
        };
        let started = Instant::now();
        target
            .put(&up, &FileMeta::new("big.mp3", hash.clone()))
            .await?;
        let secs = started.elapsed().as_secs_f64();
        println!(
            "uploaded {mb} MiB in {secs:.2} s: {:.1} MiB/s (multipart, 8 MiB parts, 4 in flight)",
            mb as f64 / secs
        );
        let back = target.read("big.mp3").await?.expect("the upload is there");
        anyhow::ensure!(
            blake3::hash(&back.bytes).to_hex().to_string() == hash,
            "content differs"
        );
        anyhow::ensure!(target.stored_hash("big.mp3").await?.as_deref() == Some(hash.as_str()));
        println!(
            "read back {} bytes: content and recorded hash match",
            back.bytes.len()
        );
        Ok(())
    })
}
