//! Event pages given by address, fetched from a real HTTP server on 127.0.0.1 started by
//! the test: a page, a redirect, a 404, a 503, a PDF, a slow answer, and 20 MB answers with
//! and without a Content-Length. A page fetched once is read from the work folder after.

use crate::common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use eventcast::ingest::fetch::{agenda_source, Limits};
use eventcast::ingest::Agenda;
use eventcast::Error;

struct Server {
    base: String,
    /// Requests for `/counted` (the same page as `/page`, fetched by one test only).
    page_hits: Arc<AtomicUsize>,
}

const PAGE: &str = include_str!("../fixtures/events/cooling-cities-2024-05-14.html");
const MARKDOWN: &str = include_str!("../fixtures/events/villes-en-transition-2024-03-21.md");

fn answer(stream: &mut TcpStream, status: &str, headers: &[(&str, String)], body: &[u8]) {
    let mut head = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

fn serve(mut stream: TcpStream, hits: &AtomicUsize) {
    let mut request = String::new();
    let mut reader = BufReader::new(stream.try_clone().expect("the socket clones"));
    if reader.read_line(&mut request).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
            break;
        }
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
    let html = ("Content-Type", "text/html; charset=utf-8".to_string());
    let twenty_mb = 20 * 1024 * 1024;
    match path.as_str() {
        "/page" | "/counted" => {
            if path == "/counted" {
                hits.fetch_add(1, Ordering::SeqCst);
            }
            let len = ("Content-Length", PAGE.len().to_string());
            answer(&mut stream, "200 OK", &[html, len], PAGE.as_bytes());
        }
        "/old-address" => {
            let to = ("Location", "/page".to_string());
            answer(&mut stream, "301 Moved Permanently", &[to], b"");
        }
        "/loop" => {
            let to = ("Location", "/loop".to_string());
            answer(&mut stream, "302 Found", &[to], b"");
        }
        "/notes.md" => {
            let md = ("Content-Type", "text/markdown; charset=utf-8".to_string());
            answer(&mut stream, "200 OK", &[md], MARKDOWN.as_bytes());
        }
        "/slow" => {
            std::thread::sleep(Duration::from_secs(3));
            answer(&mut stream, "200 OK", &[html], PAGE.as_bytes());
        }
        "/programme.pdf" => {
            let pdf = ("Content-Type", "application/pdf".to_string());
            answer(&mut stream, "200 OK", &[pdf], b"%PDF-1.7\n");
        }
        "/down" => answer(&mut stream, "503 Service Unavailable", &[html], b"busy"),
        "/huge" => {
            let len = ("Content-Length", twenty_mb.to_string());
            answer(&mut stream, "200 OK", &[html, len], b"");
            let chunk = vec![b'a'; 1024 * 1024];
            for _ in 0..20 {
                if stream.write_all(&chunk).is_err() {
                    return;
                }
            }
        }
        "/huge-unannounced" => {
            answer(&mut stream, "200 OK", &[html], b"<html><body>");
            let chunk = vec![b'a'; 1024 * 1024];
            for _ in 0..20 {
                if stream.write_all(&chunk).is_err() {
                    return;
                }
            }
        }
        _ => answer(&mut stream, "404 Not Found", &[html], b"<h1>Not found</h1>"),
    }
}

/// One server for the whole test binary, on a free port of 127.0.0.1.
fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free local port");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let page_hits = Arc::new(AtomicUsize::new(0));
        let hits = page_hits.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let hits = hits.clone();
                std::thread::spawn(move || serve(stream, &hits));
            }
        });
        Server { base, page_hits }
    })
}

fn limits() -> Limits {
    Limits {
        timeout: Duration::from_secs(1),
        ..Limits::default()
    }
}

fn fetch_err(path: &str) -> Error {
    let work = tempfile::tempdir().unwrap();
    let url = format!("{}{path}", server().base);
    let err =
        agenda_source(Path::new(&url), work.path(), &limits()).expect_err("the answer is refused");
    let pages = work.path().join("pages");
    let kept = std::fs::read_dir(&pages).map_or(0, |d| d.count());
    assert_eq!(
        kept,
        0,
        "nothing is kept in {} after {err}",
        pages.display()
    );
    err
}

#[test]
fn a_page_is_fetched_once_and_read_from_the_work_folder_after() {
    let work = tempfile::tempdir().unwrap();
    let url = format!("{}/counted", server().base);
    let copy = agenda_source(Path::new(&url), work.path(), &limits()).expect("the page is fetched");
    assert!(
        copy.starts_with(work.path().join("pages")),
        "{}",
        copy.display()
    );
    assert_eq!(copy.extension().unwrap(), "html");
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), PAGE);
    let again = agenda_source(Path::new(&url), work.path(), &limits()).unwrap();
    assert_eq!(again, copy);
    assert_eq!(
        server().page_hits.load(Ordering::SeqCst),
        1,
        "the second read uses the kept copy"
    );
    let expected = Agenda::load(&common::fixture(
        "events/cooling-cities-2024-05-14.agenda.toml",
    ))
    .unwrap();
    assert_eq!(Agenda::load(&copy).unwrap(), expected);
}

#[test]
fn redirects_are_followed_and_markdown_is_kept_as_markdown() {
    let work = tempfile::tempdir().unwrap();
    let url = format!("{}/old-address", server().base);
    let copy = agenda_source(Path::new(&url), work.path(), &limits()).expect("redirect followed");
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), PAGE);
    let md = format!("{}/notes.md", server().base);
    let copy = agenda_source(Path::new(&md), work.path(), &limits()).unwrap();
    assert_eq!(copy.extension().unwrap(), "md");
    assert_eq!(
        Agenda::load(&copy).unwrap().title,
        "Villes en transition : financer l'adaptation au climat"
    );
}

#[test]
fn errors_say_what_the_server_answered_and_what_to_do() {
    let cases = [
        ("/missing", 2, "404 Not Found: check the address"),
        ("/down", 1, "503 Service Unavailable: try again later"),
        (
            "/programme.pdf",
            2,
            "is not a web page (the server sent `application/pdf`)",
        ),
        ("/loop", 2, "too many redirects"),
        ("/slow", 1, "no complete answer within 1 s"),
        ("/huge", 2, "larger than 5 MB"),
        ("/huge-unannounced", 2, "larger than 5 MB"),
    ];
    for (path, code, needle) in cases {
        let err = fetch_err(path);
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!("{}{path}: ", server().base)),
            "{path}: {msg}"
        );
        assert!(msg.contains(needle), "{path}: {msg}");
        assert_eq!(err.exit_code(), code, "{path}: {msg}");
    }
}

#[test]
fn agenda_import_reads_an_address_and_names_the_kept_copy() {
    let work = tempfile::tempdir().unwrap();
    let import = |url: &str| {
        common::run(&[
            "agenda",
            "import",
            url,
            "--work",
            work.path().to_str().unwrap(),
        ])
    };
    let url = format!("{}/page", server().base);
    let out = import(&url);
    assert!(out.status.success(), "{}", common::text(&out));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(&format!("# Imported from {url}")),
        "{stdout}"
    );
    assert!(stdout.contains("# The page as read is kept in"), "{stdout}");
    let agenda = Agenda::from_toml(&stdout, Path::new("printed.toml")).expect("the output parses");
    assert_eq!(agenda.time.as_deref(), Some("14:00"));
    let missing = format!("{}/gone", server().base);
    let out = import(&missing);
    assert_eq!(out.status.code(), Some(2), "{}", common::text(&out));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("/gone: the server answered 404 Not Found"),
        "{stderr}"
    );
}
