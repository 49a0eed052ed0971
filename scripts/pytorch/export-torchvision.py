# Exports torchvision architectures (random weights from a fixed seed: nothing is downloaded) to
# ONNX with torch.onnx.export, as users export their models, for scripts/torchvision-exports.mjs.
# Usage: python3 export-torchvision.py OUT_DIR OPSET NAME...
# Prints one JSON line per model: {"name", "file"} or {"name", "error"}.
import json
import os
import sys

import torch
import torchvision

out_dir, opset, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
os.makedirs(out_dir, exist_ok=True)
for name in names:
    try:
        torch.manual_seed(0)
        model = getattr(torchvision.models, name)(weights=None).eval()
        side = 299 if name.startswith('inception') else 224
        x = torch.randn(1, 3, side, side)
        path = os.path.join(out_dir, f'{name}-opset{opset}.onnx')
        with torch.no_grad():
            torch.onnx.export(model, x, path, opset_version=opset, input_names=['x'], output_names=['y'],
                              dynamic_axes={'x': {0: 'N'}, 'y': {0: 'N'}})
        print(json.dumps({'name': name, 'file': path, 'side': side}), flush=True)
    except Exception as error:  # an export torch itself cannot do is reported, not fatal
        print(json.dumps({'name': name, 'error': f'{type(error).__name__}: {error}'.splitlines()[0]}), flush=True)
