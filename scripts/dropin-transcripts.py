#!/usr/bin/env python3
"""Regenerate internal/dropin/testdata/reference_transcripts.json.

Runs, for every conformance case (except fsimage), the commands the case lists
(command or commands, reverse_command, decrypt_command, verify commands) with
Espressif's own tools, in a copy of the case directory, and records stdout, stderr
and exit status. Needs the reference tools importable (PYTHONPATH) as the vectors
name them: esptool/espsecure 4.8.1, esp-idf-nvs-partition-gen 0.2.0, and
gen_esp32part.py from ESP-IDF (argparse version, e.g. commit fc72712b102) given as
GEN_ESP32PART=/path/to/gen_esp32part.py.

usage: GEN_ESP32PART=... scripts/dropin-transcripts.py ../shared/conformance OUT.json
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    conf, out_path = sys.argv[1], sys.argv[2]
    gen = os.environ['GEN_ESP32PART']
    index = json.load(open(os.path.join(conf, 'index.json')))
    work_root = tempfile.mkdtemp()
    cases = {}
    for e in index['cases']:
        if e['family'] == 'fsimage':
            continue
        cmds = [x['argv'] for x in e.get('commands', [])] or [e['command']]
        for k in ('reverse_command', 'decrypt_command'):
            if k in e:
                cmds.append(e[k])
        cmds += [v['command'] for v in e.get('verify', []) if 'command' in v]
        if any('--extra-partition-subtypes' in c for c in cmds):
            continue  # the argparse gen_esp32part reads that option differently
        work = os.path.join(work_root, e['path'])
        shutil.copytree(os.path.join(conf, e['path']), work)
        steps = []
        for argv in cmds:
            run = list(argv)
            if run[1] == 'gen_esp32part.py':
                run[1] = gen
            p = subprocess.run(run, cwd=work, capture_output=True, text=True)
            step = {'argv': list(argv), 'exit': p.returncode, 'stdout': p.stdout.replace(work, '{{DIR}}')}
            if 'Traceback' in p.stderr:
                step['stderr_traceback'] = True
            else:
                step['stderr'] = p.stderr.replace(work, '{{DIR}}')
            steps.append(step)
        cases[e['path']] = steps
    note = ('stdout, stderr and exit status of the reference tools (esptool/espsecure 4.8.1, '
            'gen_esp32part from ESP-IDF fc72712b102 (argparse), esp-idf-nvs-partition-gen 0.2.0) '
            "running each conformance case's commands in a copy of its directory ({{DIR}}); made "
            'by running the tools, not written by hand. Python tracebacks are not kept, only that '
            'there was one.')
    json.dump({'note': note, 'cases': cases}, open(out_path, 'w'), indent=1, sort_keys=True)
    shutil.rmtree(work_root)


if __name__ == '__main__':
    main()
