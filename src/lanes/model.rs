//! The statistical text model: multinomial naive Bayes over hashed word, word-pair and character
//! n-gram features. Chosen because training is counting (the corpus trains in milliseconds at
//! start-up, and one editor's lesson is one more count, with no retraining), it is robust on a
//! few hundred examples, and its evidence is easy to state ("reads like spam, p = 0.97").

use super::Lane;

/// 2^17 buckets × 6 lanes × 4 bytes = 3 MiB; the corpus has about 40,000 distinct features, so
/// collisions are rare.
pub(crate) const TABLE_BITS: u32 = 17;

/// Laplace smoothing: a feature never seen in a lane is not impossible there.
const ALPHA: f32 = 0.2;

/// Naive Bayes adds up the evidence of every feature as if they were independent, which they are
/// not (a word and its character n-grams say the same thing), so its raw log-odds grow with the
/// length of the text and are wildly over-confident. The model reports the mean evidence per known
/// feature times this factor, so that a long and a short text speak with comparable confidence,
/// in units comparable with the signals' weights. 1.0 was best in 5-fold cross-validation on the
/// corpus among 0.5–8 (bench/lanes/README.md).
const TEMPER: f32 = 1.0;

pub(crate) struct Model {
    counts: Vec<[f32; 6]>,
    /// Sum of all feature counts per lane (the multinomial denominator).
    totals: [f32; 6],
    /// Buckets seen in any lane, the vocabulary size for smoothing.
    vocabulary: usize,
}

impl Model {
    pub fn new() -> Model {
        Model {
            counts: vec![[0.0; 6]; 1 << TABLE_BITS],
            totals: [0.0; 6],
            vocabulary: 0,
        }
    }

    pub fn add(&mut self, features: &[u32], lane: Lane, weight: f32) {
        let l = lane.index();
        for &f in features {
            let bucket = &mut self.counts[f as usize];
            if bucket.iter().all(|c| *c == 0.0) {
                self.vocabulary += 1;
            }
            bucket[l] += weight;
        }
        self.totals[l] += weight * features.len() as f32;
    }

    /// Tempered log-odds per lane (see TEMPER), to be added to the signals' weights, and the
    /// probabilities they stand for. The lanes' shares in the corpus are deliberately not used as
    /// a prior: they would favour the queue for every text the model knows little about, and the
    /// bias towards the queue is the explicit margin in `queue_margin` instead.
    pub fn score(&self, features: &[u32]) -> ([f32; 6], [f32; 6]) {
        let vocabulary = self.vocabulary.max(1) as f32;
        let mut likelihood = [0.0f32; 6];
        let mut known = 0usize;
        for &f in features {
            let bucket = &self.counts[f as usize];
            // A feature never seen in training says nothing about the lane; counting it would
            // favour the lanes with the least text (noise), whatever the report says.
            if bucket.iter().all(|c| *c == 0.0) {
                continue;
            }
            known += 1;
            for (l, ll) in likelihood.iter_mut().enumerate() {
                *ll += ((bucket[l] + ALPHA) / (self.totals[l] + ALPHA * vocabulary)).ln();
            }
        }
        let scale = TEMPER / known.max(1) as f32;
        let mut logits = likelihood.map(|ll| ll * scale);
        // Only differences matter: centre on the best lane for readable numbers.
        let best = logits.iter().copied().fold(f32::MIN, f32::max);
        for x in &mut logits {
            *x -= best;
        }
        (logits, softmax(&logits))
    }
}

pub(crate) fn softmax(logits: &[f32; 6]) -> [f32; 6] {
    let max = logits.iter().copied().fold(f32::MIN, f32::max);
    let exp = logits.map(|x| (x - max).exp());
    let sum: f32 = exp.iter().sum();
    exp.map(|x| x / sum)
}
