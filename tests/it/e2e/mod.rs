//! Real-browser journeys: the application on a real port, driven through
//! Debian's chromium and chromedriver. Screenshots go to `e2e/artifacts/`.
//! Missing chromium is a failure (the test script installs it), never a skip.

mod drafting;
mod journey;
mod liaison;
mod reform;
mod research;
mod tour;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

use crate::support::TestApp;

/// A running app, chromedriver and browser session.
pub struct Browser {
    /// The WebDriver client.
    pub c: Client,
    /// Base URL of the app.
    pub base: String,
    driver: Child,
    shots: PathBuf,
    /// Where the browser saves downloads.
    pub downloads: PathBuf,
    n: usize,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port()
}

/// Serves the app on a real port.
pub async fn serve(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = zhengyan::app::router(app.state.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    format!("http://{addr}")
}

impl Browser {
    /// Starts chromedriver and a headless chromium at `width`×`height`.
    pub async fn start(base: String, test: &str, width: u32, height: u32) -> Browser {
        for bin in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
            assert!(
                std::path::Path::new(bin).exists(),
                "{bin} is missing: run scripts/test.sh, which installs chromium and chromium-driver"
            );
        }
        let port = free_port();
        let driver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().expect("profile").keep();
        let downloads = profile.join("downloads");
        std::fs::create_dir_all(&downloads).expect("downloads dir");
        let mut options = serde_json::json!({
            "prefs": {
                "download.default_directory": downloads.display().to_string(),
                "download.prompt_for_download": false,
            },
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--lang=zh-CN",
                format!("--window-size={width},{height}"),
                format!("--user-data-dir={}", profile.display()),
            ]
        });
        if width < 500 {
            // Desktop windows cannot be narrower than 500 px; a phone is emulated exactly.
            options["mobileEmulation"] = serde_json::json!({
                "deviceMetrics": { "width": width, "height": height, "pixelRatio": 2.0, "touch": true },
                "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36"
            });
        }
        let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(
            serde_json::json!({ "browserName": "chrome", "goog:chromeOptions": options }),
        )
        .expect("caps");
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..50 {
            match ClientBuilder::new(HttpConnector::new()).capabilities(caps.clone()).connect(&url).await {
                Ok(c) => {
                    let shots = PathBuf::from("e2e/artifacts").join(test);
                    let _ = std::fs::remove_dir_all(&shots);
                    std::fs::create_dir_all(&shots).expect("artifacts dir");
                    return Browser { c, base, driver, shots, downloads, n: 0 };
                }
                Err(e) => {
                    last = Some(e);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
        panic!("chromedriver did not start: {last:?}");
    }

    /// Opens a path of the app.
    pub async fn go(&mut self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.expect("goto");
    }

    /// Saves a screenshot named `name`.
    pub async fn shot(&mut self, name: &str) {
        self.n += 1;
        let png = self.c.screenshot().await.expect("screenshot");
        std::fs::write(self.shots.join(format!("{:02}-{name}.png", self.n)), png).expect("write screenshot");
    }

    /// Types into the field named `name`.
    pub async fn fill(&mut self, name: &str, value: &str) {
        let el = self.find(&format!("[name='{name}']")).await;
        el.clear().await.expect("clear");
        el.send_keys(value).await.expect("type");
    }

    /// Whether the page has an element matching `css` now (no waiting).
    pub async fn has(&mut self, css: &str) -> bool {
        !self.c.find_all(Locator::Css(css)).await.expect("find").is_empty()
    }

    /// Sets a date input named `name` (typing into a date input depends on the browser's locale).
    pub async fn set_date(&mut self, name: &str, value: &str) {
        self.find(&format!("[name='{name}']")).await;
        let js = format!("document.querySelector(\"[name='{name}']\").value = '{value}';");
        self.c.execute(&js, vec![]).await.expect("set date");
    }

    /// Chooses an option by its visible text in the select named `name`.
    pub async fn choose(&mut self, name: &str, text: &str) {
        let el = self.find(&format!("select[name='{name}']")).await;
        el.select_by_label(text).await.unwrap_or_else(|e| panic!("option {text}: {e}"));
    }

    /// Waits up to five seconds for an element to exist (pages load after clicks).
    pub async fn find(&mut self, css: &str) -> fantoccini::elements::Element {
        let mut last = None;
        for _ in 0..100 {
            match self.c.find(Locator::Css(css)).await {
                Ok(el) => return el,
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{css} never appeared: {last:?}");
    }

    /// Clicks the element matching `css`.
    pub async fn click(&mut self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    /// The text of the element matching `css` (waiting for it to appear). A page that is
    /// still replacing itself after a click can drop the element between finding and
    /// reading it, so a stale element is looked up again.
    pub async fn text(&mut self, css: &str) -> String {
        let mut last = None;
        for _ in 0..100 {
            match self.find(css).await.text().await {
                Ok(text) => return text,
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{css} kept going stale: {last:?}");
    }

    /// Waits up to five seconds for the element matching `css` to contain `needle`,
    /// and returns its text either way so the caller's assertion names what was there.
    pub async fn wait_text(&mut self, css: &str, needle: &str) -> String {
        let mut text = String::new();
        for _ in 0..100 {
            text = self.text(css).await;
            if text.contains(needle) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        text
    }

    /// Waits until the page path is `path`.
    pub async fn wait_path(&mut self, path: &str) {
        for _ in 0..100 {
            let url = self.c.current_url().await.expect("url");
            if url.path() == path {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("never reached {path}; at {}", self.c.current_url().await.expect("url"));
    }

    /// Signs in as `user` and waits for the 工作台.
    pub async fn sign_in(&mut self, user: &str, password: &str) {
        self.go("/login").await;
        self.fill("username", user).await;
        self.fill("password", password).await;
        self.click("#login-submit").await;
        self.wait_path("/home").await;
    }

    /// Signs out and waits for the sign-in page.
    pub async fn sign_out(&mut self) {
        self.click("#logout").await;
        self.wait_path("/login").await;
    }

    /// Puts a file (by absolute path) into the file input matching `css`.
    pub async fn attach(&mut self, css: &str, path: &std::path::Path) {
        self.find(css).await.send_keys(&path.display().to_string()).await.expect("attach file");
    }

    /// Waits up to ten seconds for a finished download and returns its bytes.
    pub async fn download(&mut self) -> (String, Vec<u8>) {
        for _ in 0..200 {
            if let Ok(dir) = std::fs::read_dir(&self.downloads) {
                for entry in dir.flatten() {
                    let name = entry.file_name().to_string_lossy().to_string();
                    if !name.ends_with(".crdownload") && !name.starts_with('.') {
                        return (name, std::fs::read(entry.path()).expect("read download"));
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no download arrived in {}", self.downloads.display());
    }

    /// Ends the browser session.
    pub async fn close(self) {
        let _ = self.c.clone().close().await;
    }
}
