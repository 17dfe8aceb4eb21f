//! Real servers on 127.0.0.1 for the publishing tests, started by a test and killed when
//! it ends: moto's S3 (IAM on, so every signature is checked), wsgidav, Apache httpd with
//! mod_dav and `rclone serve webdav`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::{Attribute, GetOptions, ObjectStore};

use crate::common;

pub const BUCKET: &str = "site";
pub const DAV_USER: &str = "publisher";
pub const DAV_PASSWORD: &str = "dav-Pa55word-never-logged";

/// A server process, stopped when the test ends: SIGTERM first (Apache's parent then stops
/// its workers), SIGKILL if it is still there after a few seconds.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let started = Instant::now();
        while matches!(self.0.try_wait(), Ok(None)) && started.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The path of a program the tests need; a clear failure if it is missing.
pub fn tool(name: &str) -> PathBuf {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("`{name}` is not installed: run .ci/install-publish-tools.sh (it installs moto and wsgidav from PyPI)")
        })
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `command` started with its output thrown away, once it listens on `port`.
fn serve(mut command: Command, port: u16, name: &str) -> Server {
    let mut server = Server(
        command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{name} does not start: {e}")),
    );
    wait_for_port(port, &mut server, name);
    server
}

pub fn wait_for_port(port: u16, server: &mut Server, name: &str) {
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Ok(Some(status)) = server.0.try_wait() {
            panic!("{name} exited at start ({status})");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{name} did not listen on port {port} within 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub struct S3 {
    pub _server: Server,
    pub port: u16,
    pub key_id: String,
    pub secret: String,
}

/// A moto S3 server with a bucket, and an IAM user's key that may write to it.
pub fn moto() -> S3 {
    moto_with(true)
}

/// A moto S3 server that checks no signature. moto miscomputes the SigV4 signature of a
/// listing with a prefix, which a bucket inbox needs; the publish tests check signatures.
pub fn moto_unsigned() -> S3 {
    moto_with(false)
}

fn moto_with(signatures: bool) -> S3 {
    let port = free_port();
    let mut moto = Command::new(tool("moto_server"));
    moto.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
    if signatures {
        // The first 4 requests (moto_setup.py's) need no credentials; all later ones are
        // checked against IAM, signature included.
        moto.env("INITIAL_NO_AUTH_ACTION_COUNT", "4");
    }
    let server = serve(moto, port, "moto_server");
    let setup = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/publish_servers/moto_setup.py");
    let out = Command::new(tool("python3"))
        .arg(setup)
        .arg(format!("http://127.0.0.1:{port}"))
        .arg(BUCKET)
        .output()
        .unwrap();
    assert!(out.status.success(), "moto setup: {}", common::text(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    S3 {
        _server: server,
        port,
        key_id: lines.next().unwrap().to_string(),
        secret: lines.next().unwrap().to_string(),
    }
}

impl S3 {
    pub fn env(&self) -> Vec<(&str, &str)> {
        vec![
            ("AWS_ACCESS_KEY_ID", self.key_id.as_str()),
            ("AWS_SECRET_ACCESS_KEY", self.secret.as_str()),
        ]
    }

    /// `[target]` for this server, reached on `port` (the server's or a proxy's).
    pub fn target(&self, port: u16, bucket: &str) -> String {
        format!(
            "kind = \"s3\"\nendpoint = \"http://127.0.0.1:{port}\"\nregion = \"us-east-1\"\nbucket = \"{bucket}\"\nprefix = \"podcast/\"\npath_style = true\n"
        )
    }

    pub fn store(&self) -> AmazonS3 {
        AmazonS3Builder::new()
            .with_endpoint(format!("http://127.0.0.1:{}", self.port))
            .with_allow_http(true)
            .with_region("us-east-1")
            .with_bucket_name(BUCKET)
            .with_access_key_id(&self.key_id)
            .with_secret_access_key(&self.secret)
            .build()
            .unwrap()
    }

    /// What the bucket holds under the prefix: path -> (bytes, attributes as text).
    pub fn contents(&self) -> BTreeMap<String, (Vec<u8>, BTreeMap<String, String>)> {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            use futures::TryStreamExt;
            let store = self.store();
            // Listed whole: moto miscomputes the signature of a list with a prefix.
            let metas: Vec<_> = store.list(None).try_collect().await.unwrap();
            let mut out = BTreeMap::new();
            for m in metas {
                let got = store
                    .get_opts(&m.location, GetOptions::default())
                    .await
                    .unwrap();
                let mut attrs = BTreeMap::new();
                for (k, v) in got.attributes.iter() {
                    let key = match k {
                        Attribute::ContentType => "content-type".to_string(),
                        Attribute::CacheControl => "cache-control".to_string(),
                        Attribute::Metadata(m) => format!("meta-{m}"),
                        other => format!("{other:?}"),
                    };
                    attrs.insert(key, v.to_string());
                }
                let bytes = got.bytes().await.unwrap().to_vec();
                let Some(path) = m.location.as_ref().strip_prefix("podcast/") else {
                    continue;
                };
                let path = path.to_string();
                out.insert(path, (bytes, attrs));
            }
            out
        })
    }

    /// Path -> blake3 of what is published: small enough to print in an assertion.
    pub fn digest(&self) -> BTreeMap<String, String> {
        self.files()
            .into_iter()
            .map(|(k, b)| (k, blake3::hash(&b).to_hex()[..12].to_string()))
            .collect()
    }

    pub fn files(&self) -> BTreeMap<String, Vec<u8>> {
        self.contents()
            .into_iter()
            .map(|(k, (b, _))| (k, b))
            .collect()
    }
}

pub struct Dav {
    pub _server: Server,
    pub port: u16,
    /// The folder wsgidav serves: what reached the server.
    pub root: PathBuf,
}

/// A wsgidav server with one user, serving an empty folder.
pub fn wsgidav(dir: &Path) -> Dav {
    let port = free_port();
    let root = dir.join("dav-root");
    std::fs::create_dir_all(&root).unwrap();
    let config = dir.join("wsgidav.yaml");
    std::fs::write(
        &config,
        format!(
            r#"host: 127.0.0.1
port: {port}
provider_mapping:
  "/": "{}"
http_authenticator:
  accept_basic: true
  accept_digest: false
  default_to_digest: false
simple_dc:
  user_mapping:
    "*":
      {DAV_USER}:
        password: "{DAV_PASSWORD}"
property_manager: true
lock_storage: true
verbose: 0
logging:
  enable: false
"#,
            root.display()
        ),
    )
    .unwrap();
    let mut wsgidav = Command::new(tool("wsgidav"));
    wsgidav.arg("--config").arg(&config);
    Dav {
        _server: serve(wsgidav, port, "wsgidav"),
        port,
        root,
    }
}

impl Dav {
    /// The collection publishing goes into, as the target names it.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}/sites/podcast/", self.port)
    }

    pub fn env(&self) -> Vec<(&str, &str)> {
        vec![
            ("EVENTCAST_WEBDAV_USER", DAV_USER),
            ("EVENTCAST_WEBDAV_PASSWORD", DAV_PASSWORD),
        ]
    }

    /// `[target]` publishing into a collection that does not exist yet.
    pub fn target(&self, port: u16) -> String {
        format!("kind = \"webdav\"\nurl = \"http://127.0.0.1:{port}/sites/podcast/\"\n")
    }

    pub fn files(&self) -> BTreeMap<String, Vec<u8>> {
        read_tree(&self.root.join("sites/podcast"))
    }
}

/// Apache httpd with mod_dav, in a ServerRoot of its own under `dir`, serving an empty
/// folder at `/` as WebDAV with basic auth, and `site` (if given) read-only at `/podcast/`
/// without any DirectoryIndex (a folder URL is not a page there). `methods` limits the
/// methods allowed (mod_allowmethods answers 405 to others), as a restrictive setup would.
pub fn apache(dir: &Path, methods: Option<&str>, site: Option<&Path>) -> Dav {
    let exe = Path::new("/usr/sbin/apache2");
    assert!(
        exe.is_file(),
        "Apache httpd is not installed: run .ci/install-publish-tools.sh (it installs apache2 from Debian)"
    );
    let server_root = dir.join(format!("apache-{:08x}", rand::random::<u32>()));
    let root = server_root.join("dav-root");
    std::fs::create_dir_all(server_root.join("lock")).unwrap();
    std::fs::create_dir_all(&root).unwrap();
    // Its workers run as www-data: they must reach and write these folders.
    use std::os::unix::fs::PermissionsExt;
    let mut p = dir.to_path_buf();
    while p.parent().is_some() && p != Path::new("/tmp") && p != Path::new("/") {
        let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755));
        p = p.parent().unwrap().to_path_buf();
    }
    std::fs::set_permissions(&server_root, std::fs::Permissions::from_mode(0o755)).unwrap();
    for d in [&root, &server_root.join("lock")] {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    let htpasswd = server_root.join("htpasswd");
    let out = Command::new("htpasswd")
        .arg("-bc")
        .arg(&htpasswd)
        .args([DAV_USER, DAV_PASSWORD])
        .output()
        .expect("htpasswd (apache2-utils) runs: run .ci/install-publish-tools.sh");
    assert!(out.status.success(), "htpasswd: {}", common::text(&out));
    let port = free_port();
    let modules = "/usr/lib/apache2/modules";
    let allow = methods
        .map(|m| format!("  AllowMethods {m}\n"))
        .unwrap_or_default();
    let serve_site = site
        .map(|s| {
            format!(
                "Alias /podcast/ {}/\n<Directory {}>\n  Require all granted\n</Directory>\n",
                s.display(),
                s.display()
            )
        })
        .unwrap_or_default();
    let conf = format!(
        r#"ServerRoot {sr}
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile {sr}/httpd.pid
ErrorLog {sr}/error.log
LogLevel warn
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule authn_core_module {modules}/mod_authn_core.so
LoadModule authn_file_module {modules}/mod_authn_file.so
LoadModule authz_user_module {modules}/mod_authz_user.so
LoadModule auth_basic_module {modules}/mod_auth_basic.so
LoadModule alias_module {modules}/mod_alias.so
LoadModule allowmethods_module {modules}/mod_allowmethods.so
LoadModule dav_module {modules}/mod_dav.so
LoadModule dav_fs_module {modules}/mod_dav_fs.so
User www-data
Group www-data
DavLockDB {sr}/lock/davlock
DocumentRoot {root}
<Directory {root}>
  Dav On
  AuthType Basic
  AuthName eventcast
  AuthUserFile {htpasswd}
  Require valid-user
{allow}</Directory>
{serve_site}"#,
        sr = server_root.display(),
        root = root.display(),
        htpasswd = htpasswd.display(),
    );
    let conf_path = server_root.join("httpd.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let mut apache = Command::new(exe);
    apache.arg("-f").arg(&conf_path).arg("-DFOREGROUND");
    Dav {
        _server: serve(apache, port, "apache2"),
        port,
        root,
    }
}

/// `rclone serve webdav` of an empty folder, with one user. It stores no properties: it
/// answers PROPPATCH with a 207 whose propstat says 403.
pub fn rclone(dir: &Path) -> Dav {
    let port = free_port();
    let root = dir.join(format!("rclone-root-{:08x}", rand::random::<u32>()));
    std::fs::create_dir_all(&root).unwrap();
    let exe = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("rclone"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("`rclone` is not installed: run .ci/install-publish-tools.sh (it installs rclone from Debian)")
        });
    let mut rclone = Command::new(exe);
    rclone
        .args(["serve", "webdav"])
        .arg(&root)
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .args(["--user", DAV_USER, "--pass", DAV_PASSWORD]);
    Dav {
        _server: serve(rclone, port, "rclone serve webdav"),
        port,
        root,
    }
}

pub fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    pub fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}
