// Give the shared library a soname, so that programs linked against it
// record libdumptape.so.0 and survive compatible upgrades.
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os != "macos" && os != "ios" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libdumptape.so.0");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
