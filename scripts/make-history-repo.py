#!/usr/bin/env python3
"""Makes a git repository of policy histories in the Princeton-Leuven layout, for measuring
`privacy-kg build --git-history` at scale: SITES files (one per site, `x/xy/xyz/site.com.md`),
CRAWLS commits (one per crawl, six months apart from 2010), each crawl rewriting every
file with a Wayback header of its date. A policy's text is a real policy from SOURCE (a
folder of .txt files, e.g. ../shared/corpora/tosdr-privacy) with sentences added and
removed from crawl to crawl; a share of crawls leave the text as it was (only the header
changes), as most crawls of a real site do.

Usage: scripts/make-history-repo.py SOURCE OUT_REPO [--sites 50] [--crawls 25] [--unchanged 0.2]
The repository is written with `git fast-import` (fast, no working tree).
"""
import argparse
import os
import random
import subprocess
import sys

EXTRA = [
    "We collect your precise location when you use our mobile applications.",
    "We do not sell your personal information.",
    "We may sell your personal information to advertisers.",
    "We share your email address with analytics providers.",
    "You may opt out of the sale of your personal information at any time.",
    "We retain your personal data for as long as your account is active.",
    "We use cookies to personalise advertising.",
    "Our services are not directed to children under 13.",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("source")
    ap.add_argument("out")
    ap.add_argument("--sites", type=int, default=50)
    ap.add_argument("--crawls", type=int, default=25)
    ap.add_argument("--unchanged", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    files = sorted(f for f in os.listdir(a.source) if f.endswith(".txt"))
    texts = []
    for f in files:
        with open(os.path.join(a.source, f), encoding="utf-8", errors="replace") as fh:
            t = fh.read()
        if 2000 < len(t) < 60000:
            texts.append(t)
        if len(texts) == a.sites:
            break
    if len(texts) < a.sites:
        sys.exit(f"only {len(texts)} usable policies in {a.source}")
    sites = [f"site{i:04d}.com" for i in range(a.sites)]
    os.makedirs(a.out, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", a.out], check=True)
    fi = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=a.out, stdin=subprocess.PIPE)
    out = fi.stdin
    state = [set() for _ in sites]
    for c in range(a.crawls):
        year, half = 2010 + c // 2, c % 2
        day = f"{year}-{'03' if half == 0 else '09'}-15"
        stamp = int(__import__("calendar").timegm((year, 3 if half == 0 else 9, 16, 12, 0, 0)))
        msg = f"crawl {day}".encode()
        out.write(b"commit refs/heads/main\n")
        out.write(f"committer crawler <crawler@example.org> {stamp} +0000\n".encode())
        out.write(f"data {len(msg)}\n".encode() + msg + b"\n")
        for i, site in enumerate(sites):
            if c > 0 and rng.random() >= a.unchanged:
                s = state[i]
                s ^= {rng.randrange(len(EXTRA))}
            header = (
                f"> *The following text is extracted and transformed from the {site} privacy policy "
                f"that was archived on {day}. Please check the [original snapshot on the Wayback Machine]"
                f"(https://web.archive.org/web/{day.replace('-', '')}000000id_/http%3A//{site}/privacy) "
                f"for the most accurate reproduction.*\n\n"
            )
            body = texts[i] + "\n\n" + "\n\n".join(EXTRA[k] for k in sorted(state[i])) + "\n"
            data = (header + f"# {site} Privacy Policy\n\n" + body).encode()
            path = f"{site[0]}/{site[:2]}/{site[:3]}/{site}.md"
            out.write(f"M 100644 inline {path}\n".encode())
            out.write(f"data {len(data)}\n".encode() + data + b"\n")
    out.close()
    if fi.wait() != 0:
        sys.exit("git fast-import failed")
    print(f"{a.out}: {a.sites} sites x {a.crawls} crawls = {a.sites * a.crawls} file versions")


if __name__ == "__main__":
    main()
