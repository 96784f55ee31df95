// SPDX-License-Identifier: Apache-2.0
// Copyright (c) The pliron contributors

//! Optimizations

pub mod constants;
pub mod dce;
pub mod mem2reg;
pub mod simplify_cfg;
