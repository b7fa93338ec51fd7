//! Deterministic id and fake-data generation, seeded by `--seed`.

use fake::Fake;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use uuid::Uuid;

/// A seeded generator: the same seed and the same sequence of requests give the same ids.
#[derive(Debug)]
pub struct Ids {
    rng: ChaCha8Rng,
}

impl Ids {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    pub fn uuid(&mut self) -> Uuid {
        let mut bytes = [0u8; 16];
        rand::Rng::fill_bytes(&mut self.rng, &mut bytes);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    /// A uniform draw from `[0, 1)`: fault rules' `probability` and ranged delays come from this
    /// stream too, so a fixed seed and the same requests give the same faults.
    pub fn fraction(&mut self) -> f64 {
        rand::RngExt::random::<f64>(&mut self.rng)
    }

    pub fn company_name(&mut self) -> String {
        fake::faker::company::en::CompanyName().fake_with_rng(&mut self.rng)
    }

    /// A credential-looking string: `prefix` then `len` alphanumerics.
    pub fn secret(&mut self, prefix: &str, len: usize) -> String {
        let body: String = fake::faker::lorem::en::Word()
            .fake_with_rng::<String, _>(&mut self.rng)
            .chars()
            .chain(std::iter::repeat_with(|| {
                const ALPHABET: &[u8] =
                    b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
                let i = (0..ALPHABET.len()).fake_with_rng::<usize, _>(&mut self.rng);
                char::from(ALPHABET[i])
            }))
            .filter(char::is_ascii_alphanumeric)
            .take(len)
            .collect();
        format!("{prefix}{body}")
    }
}
