//! Entry point of the SPA: mounts [`demo_web::App`] on `<body>`. trunk builds this binary.

fn main() {
    yew::Renderer::<demo_web::App>::new().render();
}
