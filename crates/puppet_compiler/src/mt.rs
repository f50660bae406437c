//! Ruby's `Random` (MT19937) as `Random.new(seed).rand(max)` uses it, for `fqdn_rand`.

const N: usize = 624;
const M: usize = 397;

struct Mt {
    state: [u32; N],
    index: usize,
}

impl Mt {
    fn new(seed: u32) -> Mt {
        let mut state = [0u32; N];
        state[0] = seed;
        for i in 1..N {
            state[i] = 1_812_433_253u32.wrapping_mul(state[i - 1] ^ (state[i - 1] >> 30)).wrapping_add(i as u32);
        }
        Mt { state, index: N }
    }

    fn from_key(key: &[u32]) -> Mt {
        let mut mt = Mt::new(19_650_218);
        let s = &mut mt.state;
        let (mut i, mut j) = (1usize, 0usize);
        let mut k = N.max(key.len());
        while k > 0 {
            s[i] = (s[i] ^ (s[i - 1] ^ (s[i - 1] >> 30)).wrapping_mul(1_664_525)).wrapping_add(key[j]).wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                s[0] = s[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
            k -= 1;
        }
        k = N - 1;
        while k > 0 {
            s[i] = (s[i] ^ (s[i - 1] ^ (s[i - 1] >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                s[0] = s[N - 1];
                i = 1;
            }
            k -= 1;
        }
        s[0] = 0x8000_0000;
        mt
    }

    fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            for i in 0..N {
                let y = (self.state[i] & 0x8000_0000) | (self.state[(i + 1) % N] & 0x7fff_ffff);
                let mut v = self.state[(i + M) % N] ^ (y >> 1);
                if y & 1 != 0 {
                    v ^= 0x9908_b0df;
                }
                self.state[i] = v;
            }
            self.index = 0;
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        y
    }
}

/// `Random.new(seed).rand(max)` for a seed given as big-endian bytes (an MD5 digest).
pub fn ruby_rand_int(seed: &[u8], max: i64) -> i64 {
    if max <= 0 {
        return 0;
    }
    // The seed as 32-bit words, least significant first, without high zero words.
    let mut words: Vec<u32> = seed.rchunks(4).map(|chunk| chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b))).collect();
    while words.len() > 1 && words[words.len() - 1] == 0 {
        words.pop();
    }
    if words.len() > 1 && words[words.len() - 1] == 1 {
        words.pop();
    }
    let mut mt = if words.len() <= 1 { Mt::new(words.first().copied().unwrap_or(0)) } else { Mt::from_key(&words) };
    let limit = (max - 1) as u64;
    if limit == 0 {
        return 0;
    }
    let mut mask = limit;
    for shift in [1, 2, 4, 8, 16, 32] {
        mask |= mask >> shift;
    }
    loop {
        let mut value: u64 = 0;
        let mut retry = false;
        for i in (0..2).rev() {
            if (mask >> (i * 32)) & 0xffff_ffff != 0 {
                value |= u64::from(mt.next_u32()) << (i * 32);
                value &= mask;
                if limit < value {
                    retry = true;
                    break;
                }
            }
        }
        if !retry {
            return value as i64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(hex: &str) -> Vec<u8> {
        (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn matches_ruby_random() {
        // Expected values from Ruby 3.1: `Random.new(seed).rand(max)`.
        assert_eq!(ruby_rand_int(&bytes("0123456789abcdef0123456789abcdef"), 60), 4);
        assert_eq!(ruby_rand_int(&bytes("0000000189abcdef0123456789abcdef"), 1000), 195);
        assert_eq!(ruby_rand_int(&bytes("05"), 100), 99);
        assert_eq!(ruby_rand_int(&bytes("0100000000"), 100), 44);
    }
}
