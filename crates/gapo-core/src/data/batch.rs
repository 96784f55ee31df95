//! Padding a list of token sequences into a rectangular batch with a mask. Generator prompts are padded on
//! the left (so every row's last token sits at the same column and decoding appends in step); discriminator
//! inputs and training sequences on the right.

use crate::error::{GapoError, Result};
use crate::tokenizer::GapoTokenizer;
use burn::tensor::{Device, Int, Tensor, TensorData};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PadSide {
    Left,
    Right,
}

/// A padded batch on the host, ready to upload.
#[derive(Clone, Debug, PartialEq)]
pub struct HostBatch {
    pub ids: Vec<i64>,
    /// 1.0 for a real token, 0.0 for padding.
    pub mask: Vec<f32>,
    pub batch: usize,
    pub len: usize,
}

impl HostBatch {
    /// Pads `rows` to the longest row with `pad_id` on `side`.
    pub fn pad(rows: &[Vec<u32>], pad_id: u32, side: PadSide) -> Result<Self> {
        let len = rows.iter().map(Vec::len).max().unwrap_or(0);
        if rows.is_empty() || len == 0 {
            return Err(GapoError::Input("cannot pad an empty batch or a batch of empty rows".into()));
        }
        let mut ids = Vec::with_capacity(rows.len() * len);
        let mut mask = Vec::with_capacity(rows.len() * len);
        for row in rows {
            let pad = len - row.len();
            let (before, after) = match side {
                PadSide::Left => (pad, 0),
                PadSide::Right => (0, pad),
            };
            ids.extend(std::iter::repeat_n(pad_id as i64, before));
            mask.extend(std::iter::repeat_n(0.0, before));
            ids.extend(row.iter().map(|&t| t as i64));
            mask.extend(std::iter::repeat_n(1.0, row.len()));
            ids.extend(std::iter::repeat_n(pad_id as i64, after));
            mask.extend(std::iter::repeat_n(0.0, after));
        }
        Ok(Self { ids, mask, batch: rows.len(), len })
    }

    /// `(ids [B, T] Int, mask [B, T])` on `device`.
    pub fn to_device(&self, device: &Device) -> (Tensor<2, Int>, Tensor<2>) {
        let shape = [self.batch, self.len];
        (
            Tensor::from_data(TensorData::new(self.ids.clone(), shape), device),
            Tensor::from_data(TensorData::new(self.mask.clone(), shape), device),
        )
    }
}

/// Generator contexts `[BOS] prompt [SEP]`, left-padded, each cut to its last `budget` tokens.
pub fn prompt_batch(tokenizer: &GapoTokenizer, prompts: &[String], budget: usize) -> Result<HostBatch> {
    let rows = prompts
        .iter()
        .map(|p| tokenizer.generator_prompt(p).map(|ids| keep_last(ids, budget)))
        .collect::<Result<Vec<_>>>()?;
    HostBatch::pad(&rows, tokenizer.special().pad, PadSide::Left)
}

/// Training sequences `[BOS] prompt [SEP] response [EOS]`, right-padded and cut to their last `max_len`
/// tokens (the response is what matters), with their response masks.
pub fn example_batch(
    tokenizer: &GapoTokenizer,
    rows: &[(&str, &str)],
    max_len: usize,
) -> Result<(HostBatch, Vec<Vec<u32>>)> {
    let mut ids = Vec::with_capacity(rows.len());
    let mut masks = Vec::with_capacity(rows.len());
    for (p, r) in rows {
        let (i, m) = tokenizer.generator_example(p, r)?;
        ids.push(keep_last(i, max_len));
        masks.push(keep_last(m, max_len));
    }
    Ok((HostBatch::pad(&ids, tokenizer.special().pad, PadSide::Right)?, masks))
}

fn keep_last(mut v: Vec<u32>, n: usize) -> Vec<u32> {
    if v.len() > n {
        v.drain(..v.len() - n);
    }
    v
}

/// Uploads a `[B, T]` table of small integers (segment ids) padded like [`HostBatch::pad`].
pub fn int_table(rows: &[Vec<u32>], fill: u32, side: PadSide, device: &Device) -> Result<Tensor<2, Int>> {
    let host = HostBatch::pad(rows, fill, side)?;
    Ok(host.to_device(device).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_left_and_right_with_masks() {
        let rows = vec![vec![5, 6, 7], vec![8]];
        let left = HostBatch::pad(&rows, 0, PadSide::Left).unwrap();
        assert_eq!(left.ids, vec![5, 6, 7, 0, 0, 8]);
        assert_eq!(left.mask, vec![1.0, 1.0, 1.0, 0.0, 0.0, 1.0]);
        let right = HostBatch::pad(&rows, 0, PadSide::Right).unwrap();
        assert_eq!(right.ids, vec![5, 6, 7, 8, 0, 0]);
        assert_eq!(right.mask, vec![1.0, 1.0, 1.0, 1.0, 0.0, 0.0]);
        assert!(HostBatch::pad(&[], 0, PadSide::Left).is_err());
        assert!(HostBatch::pad(&[vec![]], 0, PadSide::Left).is_err());
    }
}
