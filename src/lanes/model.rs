//! The statistical text model: multinomial logistic regression over hashed word, word-pair and
//! character n-gram features.
//!
//! Chosen over the naive Bayes model it replaced because it generalises better to readers who
//! write unlike the corpus's authors: trained on one author's file and measured on another's,
//! queue precision went from 65.8 % to 75.8 % and from 93.0 % to 97.8 % (bench/lanes/README.md).
//! Naive Bayes counts every feature as independent evidence (a word and its character n-grams say
//! the same thing twice), so a report's verdict followed its length and the words it shared with
//! the corpus rather than what the words meant; logistic regression learns how much each feature
//! adds to the others. Training is a few passes of stochastic gradient descent over the examples,
//! tens of milliseconds for the corpus, and every model trained on the same examples is the same
//! (a fixed shuffle seed), so instances sharing a database agree.

use super::Lane;

/// 2^17 buckets × 6 lanes × 4 bytes = 3 MiB; the corpus has about 50,000 distinct features, so
/// collisions are rare.
pub(crate) const TABLE_BITS: u32 = 17;

/// Passes over the examples. 20 and 40 gave the same cross-validated figures.
const EPOCHS: usize = 20;
/// The first step size; it decays slowly with the number of steps taken.
const RATE: f32 = 0.5;
/// L2 regularisation per step: keeps a word seen once from deciding a lane on its own. 1e-3
/// lost precision, 1e-5 lost more real reports (cross-validation, bench/lanes/README.md).
const L2: f32 = 1e-4;

#[derive(Clone)]
pub(crate) struct Model {
    weights: Vec<[f32; 6]>,
    bias: [f32; 6],
    /// Every example trained on (its features, lane and weight): training again after a lesson
    /// uses all of them, so the model does not depend on the order lessons arrived in.
    examples: Vec<(Vec<u32>, Lane, f32)>,
}

impl Model {
    pub fn new() -> Model {
        Model {
            weights: vec![[0.0; 6]; 1 << TABLE_BITS],
            bias: [0.0; 6],
            examples: Vec::new(),
        }
    }

    /// Adds an example; it counts once [`Model::fit`] has run.
    pub fn add(&mut self, features: &[u32], lane: Lane, weight: f32) {
        self.examples.push((features.to_vec(), lane, weight));
    }

    /// Trains from scratch on every example added so far. Each lane's examples weigh as much in
    /// total as any other's, so the corpus's share of queue reports is no prior: the bias towards
    /// the queue is the explicit margin in `queue_margin`.
    pub fn fit(&mut self) {
        self.weights.iter_mut().for_each(|w| *w = [0.0; 6]);
        self.bias = [0.0; 6];
        let mut per_lane = [0.0f32; 6];
        for (_, lane, weight) in &self.examples {
            per_lane[lane.index()] += weight;
        }
        let total: f32 = per_lane.iter().sum();
        let balance = per_lane.map(|n| if n > 0.0 { total / (6.0 * n) } else { 0.0 });
        let mut order: Vec<usize> = (0..self.examples.len()).collect();
        let mut random = XorShift(0x9e37_79b9_7f4a_7c15);
        let mut step = 0.0f32;
        for _ in 0..EPOCHS {
            for i in (1..order.len()).rev() {
                order.swap(i, random.below(i + 1));
            }
            for &i in &order {
                let (features, lane, weight) = &self.examples[i];
                let x = scale(features);
                let p = softmax(&self.logits(features, x));
                let rate = RATE / (1.0 + step * 1e-4);
                step += 1.0;
                let g = weight * balance[lane.index()];
                for (l, p) in p.iter().enumerate() {
                    let error = g * (p - if l == lane.index() { 1.0 } else { 0.0 });
                    self.bias[l] -= rate * error;
                    for &f in features {
                        let w = &mut self.weights[f as usize][l];
                        *w -= rate * (error * x + L2 * *w);
                    }
                }
            }
        }
    }

    /// Each feature of a report counts 1/√n: a long text does not speak louder than a short one.
    fn logits(&self, features: &[u32], x: f32) -> [f32; 6] {
        let mut logits = self.bias;
        for &f in features {
            for (z, w) in logits.iter_mut().zip(self.weights[f as usize]) {
                *z += w * x;
            }
        }
        logits
    }

    /// Log-odds per lane, centred on the best lane (to be added to the signals' weights), and the
    /// probabilities they stand for.
    pub fn score(&self, features: &[u32]) -> ([f32; 6], [f32; 6]) {
        let logits = self.logits(features, scale(features));
        let best = logits.iter().copied().fold(f32::MIN, f32::max);
        let logits = logits.map(|z| z - best);
        (logits, softmax(&logits))
    }
}

fn scale(features: &[u32]) -> f32 {
    1.0 / (features.len().max(1) as f32).sqrt()
}

/// A small deterministic generator for the training shuffle (the same model on every instance).
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

pub(crate) fn softmax(logits: &[f32; 6]) -> [f32; 6] {
    let max = logits.iter().copied().fold(f32::MIN, f32::max);
    let exp = logits.map(|x| (x - max).exp());
    let sum: f32 = exp.iter().sum();
    exp.map(|x| x / sum)
}
