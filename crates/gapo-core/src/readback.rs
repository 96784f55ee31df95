//! Reading values back from the device, always asynchronously: WebGPU in a browser cannot block, and on
//! native backends the future is ready at once (a shell drives it with `block_on`).

use crate::error::{GapoError, Result};
use burn::tensor::{Int, Tensor};

fn err(e: impl std::fmt::Debug) -> GapoError {
    GapoError::Input(format!("reading a tensor back from the device failed: {e:?}"))
}

pub async fn floats<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>> {
    t.into_data_async().await.map_err(err)?.convert::<f32>().try_into_vec::<f32>().map_err(err)
}

pub async fn ints<const D: usize>(t: Tensor<D, Int>) -> Result<Vec<i64>> {
    t.into_data_async().await.map_err(err)?.convert::<i64>().try_into_vec::<i64>().map_err(err)
}

pub async fn scalar(t: Tensor<1>) -> Result<f64> {
    Ok(floats(t).await?.first().copied().unwrap_or(f32::NAN) as f64)
}
