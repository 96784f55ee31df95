// SPDX-License-Identifier: Apache-2.0
// Copyright (c) The pliron contributors

//! IR printing and parsing utilities

pub mod outlined;
pub mod parsers;
pub mod printers;
