"""Write scenario files for the fidelity corpus's scale and chain subjects.

    python make_scale_scenario.py                 # /tmp/scale_10000.toml, /tmp/scale_100000.toml
    python make_scale_scenario.py 2500 --limit 8  # /tmp/scale_2500.toml
    python make_scale_scenario.py --chain 300     # /tmp/chain_300.toml (limit 1, short downloads)

Each file uses a ``[generate]`` table (see interlock/scenarios/loader.py), so it
stays a few lines long however many URLs it makes. The loader allows at most
100,000 generated tasks. ``budget`` is set generously (virtual seconds) so that
a long, correct run is not cut off as "not terminating".
"""

import argparse
import math

TEMPLATE = """\
name = "{name}"
description = "{description}"
limit = {limit}
seed = {seed}
budget = {budget}

[generate]
count = {count}
duration_min = {dmin}
duration_max = {dmax}
duration_step = 1
fail_rate = {fail_rate}
url_prefix = "u"
"""


def write(path, name, description, count, limit, dmin, dmax, fail_rate, seed=1):
    # Worst case: every download takes dmax, run limit at a time; then double it.
    budget = float(max(60, 2 * dmax * math.ceil(max(count, 1) / limit)))
    text = TEMPLATE.format(
        name=name,
        description=description,
        limit=limit,
        seed=seed,
        budget=budget,
        count=count,
        dmin=dmin,
        dmax=dmax,
        fail_rate=fail_rate,
    )
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)
    print(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counts", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--limit", type=int, default=8)
    parser.add_argument("--fail-rate", type=float, default=0.02)
    parser.add_argument("--chain", type=int, metavar="N", help="write /tmp/chain_N.toml instead")
    parser.add_argument("--dir", default="/tmp")
    args = parser.parse_args()
    if args.chain is not None:
        write(
            f"{args.dir}/chain_{args.chain}.toml",
            f"chain_{args.chain}",
            "a long relay of one-second downloads, limit 1",
            args.chain,
            1,
            1,
            1,
            0.0,
        )
        return
    for count in args.counts:
        write(
            f"{args.dir}/scale_{count}.toml",
            f"scale_{count}",
            f"{count} downloads of 1 to 8 virtual seconds, about 2% failing",
            count,
            args.limit,
            1,
            8,
            args.fail_rate,
        )


if __name__ == "__main__":
    main()
