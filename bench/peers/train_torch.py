#!/usr/bin/python3
"""One CD-1 epoch of an RBM in PyTorch on the CPU, H&S recipe (training peer).

What it does: the same steps as train_numpy.py, with torch tensors (float32):
W ~ 0.1 N(0,1), b = c = 0; per mini-batch ph = sigmoid(v W + c), h = ph > U,
nv = sigmoid(h W^T + b), nh = sigmoid(nv W + c), momentum 0.5 updates with lr
0.1 and L1 2e-4 on W; reconstruction error accumulated. Gradients are written
out by hand (no autograd), in torch.no_grad(), with in-place addmm/addmm_ so
no tensor is allocated per batch beyond the random numbers.

Why it is a fair comparison: the same data rows, algorithm, hyper-parameters
and thread count (torch.set_num_threads(T), T = our thread count; the harness
also sets OPENBLAS_NUM_THREADS and OMP_NUM_THREADS to T). Only the epoch is timed.

Output: one JSON line {"seconds","recon_error","rows","batch","hidden","torch","blas"}.
"""
import argparse
import time

import torch

import rbmdata


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-data", required=True)
    ap.add_argument("-rows", type=int, default=20000)
    ap.add_argument("-batch", type=int, default=100)
    ap.add_argument("-hidden", type=int, default=400)
    ap.add_argument("-threads", type=int, default=1)
    ap.add_argument("-seed", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    X = torch.from_numpy(rbmdata.load(a.data, a.rows))
    n, d = X.shape
    B, H = a.batch, a.hidden
    lr, mom, l1 = 0.1, 0.5, 2e-4
    W = 0.1 * torch.randn(d, H)
    b = torch.zeros(d)
    c = torch.zeros(H)
    dW, db, dc = torch.zeros_like(W), torch.zeros_like(b), torch.zeros_like(c)
    ph = torch.empty(B, H)
    nh = torch.empty(B, H)
    nv = torch.empty(B, d)
    grad = torch.empty(d, H)
    u = torch.empty(B, H)
    err = 0.0
    with torch.no_grad():
        t0 = time.perf_counter()
        for s in range(0, n - B + 1, B):
            v = X[s:s + B]
            torch.addmm(c, v, W, out=ph).sigmoid_()
            h = (ph > u.uniform_()).float()
            torch.addmm(b, h, W.t(), out=nv).sigmoid_()
            torch.addmm(c, nv, W, out=nh).sigmoid_()
            torch.mm(v.t(), ph, out=grad)
            grad.addmm_(nv.t(), nh, alpha=-1.0)
            grad.mul_(1.0 / B).sub_(torch.sign(W), alpha=l1)
            dW.mul_(mom).add_(grad, alpha=lr)
            W.add_(dW)
            db.mul_(mom).add_(v.sum(0) - nv.sum(0), alpha=lr / B)
            b.add_(db)
            dc.mul_(mom).add_(ph.sum(0) - nh.sum(0), alpha=lr / B)
            c.add_(dc)
            err += float(((v - nv) ** 2).sum())
        sec = time.perf_counter() - t0
    rbmdata.report(program="torch", seconds=sec, recon_error=err / n, rows=n, batch=B, hidden=H,
                   torch=torch.__version__, torch_threads=torch.get_num_threads())


if __name__ == "__main__":
    main()
