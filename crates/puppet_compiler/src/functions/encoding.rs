//! Digests and encodings: `md5`, `sha1`, `sha256`, Base64 for Binary values,
//! `binary_file`.

use sha2::Digest;

use crate::eval::{plain, CallContext, Compiler, R};
use crate::value::Value;

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64 (`strict`: no line breaks; otherwise a break every 60 characters, as Ruby's
/// `Base64.encode64`).
pub fn base64_encode(bytes: &[u8], strict: bool) -> String {
    let mut out = String::with_capacity(bytes.len() * 4 / 3 + 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(BASE64[(n >> 18) as usize & 63] as char);
        out.push(BASE64[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 { BASE64[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if chunk.len() > 2 { BASE64[n as usize & 63] as char } else { '=' });
    }
    if strict {
        return out;
    }
    let mut wrapped = String::new();
    for (index, ch) in out.chars().enumerate() {
        if index > 0 && index % 60 == 0 {
            wrapped.push('\n');
        }
        wrapped.push(ch);
    }
    if !wrapped.is_empty() {
        wrapped.push('\n');
    }
    wrapped
}

pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for ch in text.bytes() {
        let value = match ch {
            b'A'..=b'Z' => ch - b'A',
            b'a'..=b'z' => ch - b'a' + 26,
            b'0'..=b'9' => ch - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' | b'\n' | b'\r' | b' ' => continue,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// MD5 (RFC 1321).
pub fn md5_bytes(input: &[u8]) -> [u8; 16] {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4,
        11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    let k: Vec<u32> = (0..64).map(|i| ((i as f64 + 1.0).sin().abs() * 4_294_967_296.0) as u32).collect();
    let (mut a0, mut b0, mut c0, mut d0) = (0x6745_2301u32, 0xefcd_ab89u32, 0x98ba_dcfeu32, 0x1032_5476u32);
    let mut message = input.to_vec();
    let bit_len = (input.len() as u64).wrapping_mul(8);
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&bit_len.to_le_bytes());
    for chunk in message.chunks(64) {
        let m: Vec<u32> = chunk.chunks(4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])).collect();
        let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f.wrapping_add(a).wrapping_add(k[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(S[i]));
        }
        a0 = a0.wrapping_add(a);
        b0 = b0.wrapping_add(b);
        c0 = c0.wrapping_add(c);
        d0 = d0.wrapping_add(d);
    }
    let mut out = [0u8; 16];
    out[..4].copy_from_slice(&a0.to_le_bytes());
    out[4..8].copy_from_slice(&b0.to_le_bytes());
    out[8..12].copy_from_slice(&c0.to_le_bytes());
    out[12..].copy_from_slice(&d0.to_le_bytes());
    out
}

/// SHA-1 (FIPS 180-1).
pub fn sha1_bytes(input: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476, 0xc3d2_e1f0];
    let mut message = input.to_vec();
    let bit_len = (input.len() as u64).wrapping_mul(8);
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&bit_len.to_be_bytes());
    for chunk in message.chunks(64) {
        let mut w = [0u32; 80];
        for i in 0..16 {
            w[i] = u32::from_be_bytes([chunk[4 * i], chunk[4 * i + 1], chunk[4 * i + 2], chunk[4 * i + 3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let (mut a, mut b, mut c, mut d, mut e) = (h[0], h[1], h[2], h[3], h[4]);
        for (i, word) in w.iter().enumerate() {
            let (f, k) = match i / 20 {
                0 => ((b & c) | (!b & d), 0x5a82_7999),
                1 => (b ^ c ^ d, 0x6ed9_eba1),
                2 => ((b & c) | (b & d) | (c & d), 0x8f1b_bcdc),
                _ => (b ^ c ^ d, 0xca62_c1d6),
            };
            let temp = a.rotate_left(5).wrapping_add(f).wrapping_add(e).wrapping_add(k).wrapping_add(*word);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = temp;
        }
        h[0] = h[0].wrapping_add(a);
        h[1] = h[1].wrapping_add(b);
        h[2] = h[2].wrapping_add(c);
        h[3] = h[3].wrapping_add(d);
        h[4] = h[4].wrapping_add(e);
    }
    let mut out = [0u8; 20];
    for (i, word) in h.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&word.to_be_bytes());
    }
    out
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn digest_arg(args: &[Value], name: &str) -> R<String> {
    match args {
        [value] => Ok(value.to_puppet_string()),
        _ => Err(plain(format!("{name}(): Wrong number of arguments given ({} for 1)", args.len()))),
    }
}

pub fn md5(_c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    Ok(Value::from(hex(&md5_bytes(digest_arg(&args, ctx.name)?.as_bytes()))))
}

pub fn sha1(_c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    Ok(Value::from(hex(&sha1_bytes(digest_arg(&args, ctx.name)?.as_bytes()))))
}

pub fn sha256(_c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    Ok(Value::from(hex(&sha2::Sha256::digest(digest_arg(&args, ctx.name)?.as_bytes()))))
}

pub fn binary_file(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["String path"])?;
    let reference = args[0].to_puppet_string();
    let path = if reference.starts_with('/') { Some(std::path::PathBuf::from(&reference)) } else { c.loader.module_file("files", &reference) };
    match path.and_then(|p| std::fs::read(p).ok()) {
        Some(bytes) => Ok(Value::Binary(std::rc::Rc::new(bytes))),
        None => Err(plain(format!("binary_file(): The given file '{reference}' does not exist"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_and_base64() {
        assert_eq!(hex(&md5_bytes(b"abc")), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(hex(&sha1_bytes(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(base64_encode(b"hi", true), "aGk=");
        assert_eq!(base64_decode("aGk="), Some(b"hi".to_vec()));
    }
}
