//! Compiles the committed generated parsers (`*/src/parser.c`) and the shared external
//! scanner, so that building needs neither node nor the tree-sitter CLI.

fn main() {
    for grammar in ["puppet", "epp"] {
        let src_dir = std::path::Path::new(grammar).join("src");
        let mut build = cc::Build::new();
        build
            .std("c11")
            .include(&src_dir)
            .flag_if_supported("-Wno-unused-parameter")
            .flag_if_supported("-Wno-unused-but-set-variable")
            .flag_if_supported("-Wno-trigraphs")
            .file(src_dir.join("parser.c"))
            .file(src_dir.join("scanner.c"));
        build.compile(&format!("tree-sitter-{grammar}"));
        println!("cargo:rerun-if-changed={}", src_dir.join("parser.c").display());
        println!("cargo:rerun-if-changed={}", src_dir.join("scanner.c").display());
    }
    println!("cargo:rerun-if-changed=common/scanner.h");
}
