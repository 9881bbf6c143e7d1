#!/usr/bin/env python3
"""Markdown summary of an espcompose output folder, from its build.json (or, for a
devices build, devices.json and each device's build.json). The action uses it when the
folder has no summary.md of espcompose's own. Usage: summary.py OUT_DIR"""
import json
import os
import sys


def cell(v):
    return str(v).replace('|', '\\|').replace('\n', ' ')


def one(out, rel=''):
    with open(os.path.join(out, rel, 'build.json')) as f:
        b = json.load(f)
    t = b.get('target', {})
    lines = [
        f"**{cell(t.get('chip', '?'))}**, {cell(t.get('flash_size', '?'))} flash, "
        f"mode {cell(t.get('flash_mode') or 'keep')}, freq {cell(t.get('flash_freq') or 'keep')}; "
        f"{cell(b.get('tool', 'espcompose'))} {cell(b.get('tool_version', ''))}",
        '',
        '| offset | size | name | type | encrypted | signed | contents |',
        '|---|---|---|---|---|---|---|',
    ]
    for r in b.get('flash_map', []):
        lines.append('| {} | {} | {} | {} | {} | {} | {} |'.format(
            cell(r.get('offset')), cell(r.get('size')), cell(r.get('name')), cell(r.get('type')),
            'yes' if r.get('encrypted') else 'no', 'yes' if r.get('signed') else 'no', cell(r.get('source', ''))))
    lines += ['', '| output | bytes | sha256 |', '|---|---|---|']
    for o in b.get('outputs', []):
        lines.append(f"| `{cell(os.path.join(rel, o['path']))}` | {o.get('size', '')} | `{o.get('sha256', '')}` |")
    return lines


def main():
    out = sys.argv[1]
    lines = [f'### espcompose build: `{out}`', '']
    if os.path.exists(os.path.join(out, 'build.json')):
        lines += one(out)
    elif os.path.exists(os.path.join(out, 'devices.json')):
        with open(os.path.join(out, 'devices.json')) as f:
            devs = json.load(f).get('devices', [])
        lines += [f'{len(devs)} device(s).', '', '| device | merged image | sha256 |', '|---|---|---|']
        for d in devs:
            lines.append(f"| {cell(d.get('id'))} | `{cell(d.get('merged'))}` | `{d.get('sha256', '')}` |")
        if devs and os.path.exists(os.path.join(out, devs[0]['dir'], 'build.json')):
            lines += ['', f"<details><summary>Flash map of {cell(devs[0]['id'])}</summary>", '']
            lines += one(out, devs[0]['dir'])
            lines += ['', '</details>']
    else:
        sys.exit(f'summary.py: {out} has neither build.json nor devices.json')
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
