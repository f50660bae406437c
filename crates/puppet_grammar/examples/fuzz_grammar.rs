//! Feeds the parsers random mixes of Puppet/EPP fragments and of corpus file slices for a
//! number of seconds, to shake out crashes in the external scanner (a crash aborts the
//! process). Usage: `cargo run --release -p puppet_grammar --example fuzz_grammar --
//! SECONDS [SEED] [FILE...]`; prints the number of inputs parsed.
#![allow(clippy::print_stdout)]

const FRAGMENTS: &[&str] = &[
    "$x", " = ", "\"a ${", "}", "\"", "'", "@(END)", "@(\"E\"/tL$)", "@(E:json/)", "\nEND\n",
    "\n  | E\n", "\n -E", "\n", " ", "{", "}", "[", "]", "(", ")", "/", "/a/", "\\", "\\n",
    "$", "${x[1]}", "<%", "<%=", "<%-", "%>", "-%>", "<%#", "<%%", "%%>", "|", "|>", "<|",
    "<<|", "|>>", "->", "~>", "file", "File", "class", "define", "node", "if", "else", "case",
    "default", ":", ",", ";", "=>", "+>", "*", "-", "0x1G", "1.5", "0777", "Foo::bar", "::",
    "#c\n", "/*", "*/", "@", "@@", "?", "!", "in", "and", "\r\n", "\t", "é", "\u{a0}", "type",
    "function", "unless", "elsif", "inherits", "$::y", "foo-bar", "_w", "\u{0}", "\\u{41}",
    "\\u12", "$$", "${", "$::", "-%", "%", "<", "<<", ">>", "END", "E",
];

struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(10);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(0x9E37_79B9_7F4A_7C15);
    let files: Vec<Vec<u8>> = args.filter_map(|path| std::fs::read(path).ok()).collect();
    let mut random = Random(seed | 1);
    let mut parsers: Vec<tree_sitter::Parser> = [puppet_grammar::language(), puppet_grammar::epp_language()]
        .iter()
        .map(|language| {
            let mut parser = tree_sitter::Parser::new();
            parser.set_language(language).expect("the grammar loads");
            parser
        })
        .collect();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    let mut count = 0u64;
    while std::time::Instant::now() < deadline {
        let mut input = Vec::new();
        for _ in 0..1 + random.below(60) {
            if !files.is_empty() && random.below(4) == 0 {
                let file = &files[random.below(files.len())];
                let start = random.below(file.len());
                let end = (start + random.below(200)).min(file.len());
                input.extend_from_slice(&file[start..end]);
            } else {
                input.extend_from_slice(FRAGMENTS[random.below(FRAGMENTS.len())].as_bytes());
            }
        }
        let which = random.below(2);
        if let Ok(path) = std::env::var("FUZZ_LAST") {
            // Keeps the input being parsed, to reproduce a hang.
            let _ = std::fs::write(&path, &input);
            let _ = std::fs::write(format!("{path}.kind"), if which == 0 { "pp" } else { "epp" });
        }
        let parser = &mut parsers[which];
        let tree = parser.parse(&input, None).expect("a tree");
        assert!(tree.root_node().end_byte() <= input.len());
        count += 1;
    }
    println!("parsed {count} random inputs without a crash");
}
