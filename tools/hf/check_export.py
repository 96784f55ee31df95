"""Loads a decoder folder that gapo exported with transformers and compares its logits with the original's.
With --same (an import/export round trip) they must agree; after training they are only reported.

    python3 tools/hf/check_export.py ORIGINAL_DIR EXPORTED_DIR [--same]
"""

import sys

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

original, exported = sys.argv[1], sys.argv[2]
a = AutoModelForCausalLM.from_pretrained(original).eval()
b = AutoModelForCausalLM.from_pretrained(exported).eval()
tok = AutoTokenizer.from_pretrained(exported)
ids = tok("Write a product description of a desk lamp.", return_tensors="pt")["input_ids"]
with torch.no_grad():
    diff = (a(ids).logits - b(ids).logits).abs().max().item()
print(f"transformers loaded {exported}: {type(b).__name__}, max |Δlogit| vs {original} = {diff:.2e}")
if '--same' in sys.argv:
    assert diff < 1e-5
