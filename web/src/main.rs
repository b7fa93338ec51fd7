//! Entry point of the SPA: mounts [`demo_web::App`] on `<body>`. trunk builds this binary.

fn main() {
    yew::Renderer::<demo_web::App>::new().render();
}

/// The allocator in the browser: talc, which the standard library's default for wasm (dlmalloc)
/// outweighs by about 3 KB of the gzipped wasm. The page is single-threaded (no `atomics`), the
/// case talc's `WasmDynamicTalc` is for; it grows the wasm memory on demand like dlmalloc.
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
