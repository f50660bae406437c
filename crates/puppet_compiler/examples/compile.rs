//! Compiles a catalog and prints it as JSON (a development aid):
//! `cargo run -p puppet_compiler --example compile -- --facts F [--node N]
//! [--modulepath P] [--manifest M | --code C] [--class X] [--hiera-config H]`.

use std::path::PathBuf;

fn main() {
    let mut options = puppet_compiler::CompileOptions::default();
    let mut args = std::env::args().skip(1);
    let mut repeat = 1;
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_default();
        match flag.as_str() {
            "--facts" => {
                let text = std::fs::read_to_string(&value).expect("facts file");
                options.facts = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&text).expect("facts: a JSON object").into();
            }
            "--node" => options.node_name = value,
            "--modulepath" => options.modulepath = value.split(':').map(PathBuf::from).collect(),
            "--manifest" => options.manifest = Some(PathBuf::from(value)),
            "--code" => options.code = Some(value),
            "--class" => options.classes.push((value, None)),
            "--hiera-config" => options.hiera_config = Some(PathBuf::from(value)),
            "--repeat" => repeat = value.parse().unwrap_or(1),
            "--strict-variables" => options.strict_variables = value == "true",
            _ => {}
        }
    }
    let compiler = puppet_compiler::NativeCompiler::new();
    let start = std::time::Instant::now();
    let mut result = compiler.compile(&options);
    for _ in 1..repeat {
        result = compiler.compile(&options);
    }
    let elapsed = start.elapsed();
    match result {
        Ok(output) => {
            #[allow(clippy::print_stdout)]
            {
                println!("{}", serde_json::json!({"ok": true, "catalog": output.catalog, "warnings": output.warnings, "messages": output.messages, "seconds": elapsed.as_secs_f64() / f64::from(repeat)}));
            }
        }
        Err(error) => {
            let json = match &error {
                puppet_compiler::Error::Compile { message, file, line, column, issue_code } => {
                    serde_json::json!({"ok": false, "error": {"message": message, "file": file, "line": line, "column": column, "issue_code": issue_code}})
                }
                puppet_compiler::Error::Unsupported { construct, file, line } => {
                    serde_json::json!({"ok": false, "unsupported": construct, "error": {"message": error.to_string(), "file": file, "line": line}})
                }
                puppet_compiler::Error::Input(message) => serde_json::json!({"ok": false, "error": {"message": message}}),
            };
            #[allow(clippy::print_stdout)]
            {
                println!("{json}");
            }
        }
    }
}
