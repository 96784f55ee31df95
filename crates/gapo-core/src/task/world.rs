//! The seeded world the built-in task talks about: products with a category, colour, material, size,
//! price and a feature word. Every value is a single lowercase word (the price is `$NN`), so "mentions the
//! colour" has one exact meaning: the value appears as a whole word.

use crate::rng::SplitMix64;
use serde::{Deserialize, Serialize};

pub const CATEGORIES: [&str; 12] =
    ["lamp", "chair", "kettle", "backpack", "scarf", "mug", "clock", "jacket", "blender", "tent", "desk", "speaker"];
pub const COLOURS: [&str; 10] = ["red", "blue", "green", "amber", "ivory", "black", "teal", "silver", "coral", "olive"];
pub const MATERIALS: [&str; 8] = ["oak", "steel", "wool", "leather", "ceramic", "bamboo", "linen", "glass"];
pub const SIZES: [&str; 4] = ["small", "compact", "large", "oversized"];
pub const FEATURES: [&str; 10] = [
    "foldable",
    "waterproof",
    "rechargeable",
    "quiet",
    "washable",
    "stackable",
    "adjustable",
    "portable",
    "insulated",
    "modular",
];

/// One attribute of a product.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Attribute {
    Category,
    Colour,
    Material,
    Size,
    Price,
    Feature,
}

impl Attribute {
    pub const ALL: [Attribute; 6] =
        [Self::Category, Self::Colour, Self::Material, Self::Size, Self::Price, Self::Feature];

    pub fn name(self) -> &'static str {
        match self {
            Self::Category => "category",
            Self::Colour => "colour",
            Self::Material => "material",
            Self::Size => "size",
            Self::Price => "price",
            Self::Feature => "feature",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub category: String,
    pub colour: String,
    pub material: String,
    pub size: String,
    /// Whole dollars, rendered `$NN`.
    pub price: u32,
    pub feature: String,
}

impl Product {
    pub fn sample(rng: &mut SplitMix64) -> Self {
        Self {
            category: rng.pick(&CATEGORIES).to_string(),
            colour: rng.pick(&COLOURS).to_string(),
            material: rng.pick(&MATERIALS).to_string(),
            size: rng.pick(&SIZES).to_string(),
            price: 10 + 5 * rng.below(38) as u32,
            feature: rng.pick(&FEATURES).to_string(),
        }
    }

    /// The attribute's value as it appears in text (`$45` for the price).
    pub fn value(&self, attribute: Attribute) -> String {
        match attribute {
            Attribute::Category => self.category.clone(),
            Attribute::Colour => self.colour.clone(),
            Attribute::Material => self.material.clone(),
            Attribute::Size => self.size.clone(),
            Attribute::Price => format!("${}", self.price),
            Attribute::Feature => self.feature.clone(),
        }
    }

    /// The fact line the prompt shows: `category: lamp; colour: red; …`.
    pub fn facts(&self) -> String {
        Attribute::ALL.iter().map(|a| format!("{}: {}", a.name(), self.value(*a))).collect::<Vec<_>>().join("; ")
    }
}
