# PyTorch's ResNet-20 training step on this machine, as the native anchor for
# `npm run bench:resnet20`: the same architecture as nn.resnet20() (CIFAR ResNet-20, option B
# shortcuts, bias-free convs, BatchNorm), 1x28x28 input, batch and thread count from the
# command line, SGD with momentum. Prints one JSON line: the step times in milliseconds.
# Run only when `python3 -c 'import torch'` works; the bench never installs anything.
import json
import sys
import time

import torch
import torch.nn as nn


def block(in_c, out_c, stride):
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(in_c, out_c, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(out_c)
            self.conv2 = nn.Conv2d(out_c, out_c, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(out_c)
            self.shortcut = nn.Sequential()
            if stride != 1 or in_c != out_c:
                self.shortcut = nn.Sequential(nn.Conv2d(in_c, out_c, 1, stride, bias=False), nn.BatchNorm2d(out_c))

        def forward(self, x):
            h = torch.relu(self.bn1(self.conv1(x)))
            return torch.relu(self.bn2(self.conv2(h)) + self.shortcut(x))

    return Block()


def resnet20(classes=10):
    layers = [nn.Conv2d(1, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()]
    channels = 16
    for stage, width in enumerate([16, 32, 64]):
        for b in range(3):
            layers.append(block(channels, width, 2 if stage > 0 and b == 0 else 1))
            channels = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, classes)]
    return nn.Sequential(*layers)


def main():
    batch, threads, steps, warm = (int(v) for v in sys.argv[1:5])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = resnet20().train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.rand(batch, 1, 28, 28)
    y = torch.arange(batch) % 10
    loss_fn = nn.CrossEntropyLoss()
    times = []
    for i in range(warm + steps):
        start = time.perf_counter()
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
        if i >= warm:
            times.append((time.perf_counter() - start) * 1000)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "ms": times}))


main()
