//! EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019): the
//! item-item weight matrix `B` that best reconstructs each user's interactions from their
//! other interactions, under an L2 penalty `λ` and with a zero diagonal, has a closed form:
//!
//! ```text
//! P = (G + λI)⁻¹,   B[i][j] = −P[i][j] / P[j][j]  (i ≠ j),   B[j][j] = 0
//! ```
//!
//! where `G = XᵀX` is the item-item Gram matrix of the users' interactions `X`: `G[i][i]`
//! the number of users who took item `i`, `G[i][j]` the number who took both. A user's
//! score for `j` is `Σᵢ x[i] · B[i][j]` over their items `i`, so row `i` of `B`, cut to its
//! best `top_k` positive weights, is what a seed `i` contributes: the neighbour list the
//! request functions merge.
//!
//! `G` is built from the users' baskets ([`Gram::add_basket`]), so it is a Gram matrix and
//! `G + λI` is positive definite: the Cholesky factorisation always succeeds. The work is
//! that factorisation and the inverse, `O(n³)` time, two `n × n` matrices of `f32` at the
//! peak (`G`, then its factor; the inverse replaces `G`).

use faer::linalg::solvers::DenseSolveCore;
use faer::{Mat, Side};

/// `G = XᵀX` for items numbered `0..n`, built a basket at a time.
#[derive(Debug, Clone)]
pub struct Gram {
    g: Mat<f32>,
}

/// One item's neighbours: `(j, B[i][j])`, best first.
pub type Row = Vec<(u32, f32)>;

impl Gram {
    /// No baskets yet, `n` items.
    pub fn new(n: usize) -> Self {
        Self {
            g: Mat::zeros(n, n),
        }
    }

    /// Items.
    pub fn len(&self) -> usize {
        self.g.nrows()
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds one user's distinct items (`x xᵀ` for their 0/1 row `x`).
    pub fn add_basket(&mut self, items: &[u32]) {
        for (a, &i) in items.iter().enumerate() {
            let i = i as usize;
            self.g[(i, i)] += 1.0;
            for &j in &items[a + 1..] {
                let j = j as usize;
                self.g[(i, j)] += 1.0;
                self.g[(j, i)] += 1.0;
            }
        }
    }

    /// Fits `B` and answers each item's best `top_k` positive weights.
    ///
    /// # Panics
    /// Never for a `λ > 0`: `G + λI` is then positive definite.
    pub fn fit(mut self, lambda: f32, top_k: usize) -> Vec<Row> {
        let n = self.len();
        if n == 0 {
            return Vec::new();
        }
        for i in 0..n {
            self.g[(i, i)] += lambda;
        }
        let llt = self
            .g
            .llt(Side::Lower)
            .expect("G + λI is positive definite");
        drop(self.g);
        let p = llt.inverse();
        (0..n)
            .map(|i| {
                let mut row: Row = (0..n)
                    .filter(|&j| j != i)
                    .filter_map(|j| {
                        let w = -p[(i, j)] / p[(j, j)];
                        (w > 0.0 && w.is_finite()).then_some((j as u32, w))
                    })
                    .collect();
                row.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                row.truncate(top_k);
                row
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The weights of a small case, against `B` computed by hand from the formula.
    #[test]
    fn weights_follow_the_closed_form() {
        // Three users: {0, 1}, {0, 1}, {0, 2}.
        let mut gram = Gram::new(3);
        for basket in [[0, 1], [0, 1], [0, 2]] {
            gram.add_basket(&basket);
        }
        let rows = gram.fit(1.0, 10);
        // G + I = [[4,2,1],[2,3,0],[1,0,2]]; its inverse times det (= 13):
        // [[6,-4,-3],[-4,7,2],[-3,2,8]].
        let p = [[6.0, -4.0, -3.0], [-4.0, 7.0, 2.0], [-3.0, 2.0, 8.0f32]];
        let b = |i: usize, j: usize| -p[i][j] / p[j][j];
        assert_eq!(rows[0].len(), 2);
        assert_eq!(rows[0][0].0, 1, "item 1 is item 0's best neighbour");
        assert!((rows[0][0].1 - b(0, 1)).abs() < 1e-5);
        assert!((rows[0][1].1 - b(0, 2)).abs() < 1e-5);
        // Items 1 and 2 never met: B[1][2] is negative, so not a neighbour.
        assert!(b(1, 2) < 0.0);
        assert!(rows[1].iter().all(|&(j, _)| j == 0));
    }

    #[test]
    fn lists_are_cut_to_top_k_and_an_empty_catalogue_fits_nothing() {
        let n = 30u32;
        let mut gram = Gram::new(n as usize);
        // Item 0 meets item j in j baskets.
        for j in 1..n {
            for _ in 0..j {
                gram.add_basket(&[0, j]);
            }
        }
        let rows = gram.fit(10.0, 5);
        assert_eq!(rows[0].len(), 5);
        assert_eq!(rows[0][0].0, n - 1, "the strongest co-occurrence first");
        assert!(rows[0].windows(2).all(|w| w[0].1 >= w[1].1));
        assert!(Gram::new(0).fit(10.0, 5).is_empty());
    }
}
