# idf.py extension: `idf.py espcompose` builds the project, then the espcompose
# manifest; `idf.py espcompose-flash` also writes the result with esptool.
#
# ESP-IDF loads an idf_ext.py from the project root or from a component of the
# project (see "Extending idf.py" in ESP-IDF's docs/en/api-guides/tools/idf-py.rst).
# Either copy this file to the project root, or add this folder as a component:
#   set(EXTRA_COMPONENT_DIRS path/to/espcompose/integrations/cmake)
#
# The espcompose binary is $ESPCOMPOSE, else `espcompose` on PATH. The manifest is
# espcompose.hcl in the project (--manifest), the output build/espcompose (--out).
import json
import os
import shlex
import shutil
import subprocess
import sys
from typing import Any, Dict, List


def _fail(message: str) -> None:
    try:  # ESP-IDF's own error type prints without a traceback
        from idf_py_actions.errors import FatalError
    except ImportError:  # outside idf.py (tests)
        raise SystemExit(message)
    raise FatalError(message)


def _espcompose() -> str:
    exe = os.environ.get('ESPCOMPOSE') or shutil.which('espcompose')
    if not exe:
        _fail('espcompose not found: set ESPCOMPOSE=/path/to/espcompose or run '
              'go install github.com/espcompose/espcompose/cmd/espcompose@latest')
    return exe


def action_extensions(base_actions: Dict[str, Any], project_path: str) -> Dict[str, Any]:
    def paths(global_args: Any, manifest: str, out: str) -> List[str]:
        build_dir = getattr(global_args, 'build_dir', None) or os.path.join(project_path, 'build')
        manifest = manifest or os.path.join(project_path, 'espcompose.hcl')
        out = out or os.path.join(build_dir, 'espcompose')
        return [manifest, out, os.path.join(build_dir, 'espcompose-cache')]

    def build(subcommand_name: str, ctx: Any, global_args: Any, manifest: str = '', out: str = '',
              var: Any = (), **_: Any) -> None:
        manifest, out, cache = paths(global_args, manifest, out)
        if not os.path.exists(manifest):
            _fail(f'{manifest} does not exist: write one with `espcompose init --from-idf build`')
        cmd = [_espcompose(), 'build', '-f', manifest, '-o', out, '--cache-dir', cache]
        cmd += ['--var=' + v for v in var]
        print('Running ' + ' '.join(shlex.quote(c) for c in cmd), flush=True)
        if subprocess.run(cmd).returncode != 0:
            _fail('espcompose build failed')

    def flash(subcommand_name: str, ctx: Any, global_args: Any, manifest: str = '', out: str = '',
              var: Any = (), **_: Any) -> None:
        # Built here rather than through a dependency on the espcompose action, so
        # --manifest, --out and --var given to espcompose-flash apply to the build too.
        build(subcommand_name, ctx, global_args, manifest, out, var)
        manifest, out, _cache = paths(global_args, manifest, out)
        try:
            with open(os.path.join(out, 'flasher_args.json')) as f:
                chip = json.load(f)['extra_esptool_args']['chip']
        except (OSError, KeyError, ValueError) as e:
            _fail(f'{out}/flasher_args.json: {e}; run idf.py espcompose first')
        # $ESPTOOL overrides the esptool command (e.g. "esptool.py"); by default the
        # esptool module of the Python running idf.py, which ESP-IDF installs.
        esptool = shlex.split(os.environ.get('ESPTOOL', '')) or [sys.executable, '-m', 'esptool']
        cmd = esptool + ['--chip', chip]
        port = getattr(global_args, 'port', None)
        if port:
            cmd += ['-p', str(port)]
        baud = getattr(global_args, 'baud', None)
        if baud:
            cmd += ['-b', str(baud)]
        # flash_args keeps every header as built (espcompose writes the flash settings
        # before signing); run in the output folder, whose paths it names.
        cmd += ['write_flash', '@flash_args']
        print('Running ' + ' '.join(shlex.quote(c) for c in cmd) + ' in ' + out, flush=True)
        if subprocess.run(cmd, cwd=out).returncode != 0:
            _fail('esptool write_flash failed')

    options = [
        {'names': ['--manifest'], 'help': 'espcompose manifest (default: espcompose.hcl in the project).',
         'default': ''},
        {'names': ['--out'], 'help': 'output folder (default: BUILD_DIR/espcompose).', 'default': ''},
        {'names': ['--var'], 'help': 'manifest variable name=value; repeatable.', 'multiple': True},
    ]
    return {
        'version': '1',
        'actions': {
            'espcompose': {
                'callback': build,
                'short_help': 'Build the espcompose flash images.',
                'help': 'Build the project, then the espcompose manifest into BUILD_DIR/espcompose.',
                'options': options,
                'dependencies': ['all'],
            },
            'espcompose-flash': {
                'callback': flash,
                'short_help': 'Flash the espcompose images.',
                'help': 'Build as `idf.py espcompose`, then write the images with esptool write_flash @flash_args.',
                'options': options,
                'dependencies': ['all'],
            },
        },
    }
