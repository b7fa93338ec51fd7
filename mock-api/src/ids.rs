//! Deterministic id and fake-data generation, seeded by `--seed`.

use fake::Fake;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A seeded generator: the same seed and the same sequence of requests give the same ids.
#[derive(Debug)]
pub struct Ids {
    seed: u64,
    rng: ChaCha8Rng,
}

/// Where a generator is: its seed and how far it has drawn. The state file keeps it, so a restarted
/// mock goes on drawing where it stopped instead of handing out the ids it already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub seed: u64,
    /// Offset in the ChaCha8 stream, in 32-bit words.
    pub word_pos: u128,
}

impl Ids {
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    pub fn position(&self) -> Position {
        Position {
            seed: self.seed,
            word_pos: self.rng.get_word_pos(),
        }
    }

    /// The generator of `position.seed`, advanced to `position`: it draws what the original would
    /// have drawn next.
    pub fn resume(position: Position) -> Self {
        let mut ids = Self::new(position.seed);
        ids.rng.set_word_pos(position.word_pos);
        ids
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

#[cfg(test)]
mod tests {
    use super::Ids;

    #[test]
    fn a_resumed_generator_draws_what_the_original_draws_next() {
        let mut original = Ids::new(9);
        original.uuid();
        original.company_name();
        original.secret("sk_", 12);
        let mut resumed = Ids::resume(original.position());
        assert_eq!(resumed.position(), original.position());
        for _ in 0..3 {
            assert_eq!(resumed.uuid(), original.uuid());
            assert_eq!(resumed.secret("x", 8), original.secret("x", 8));
        }
    }
}
